"""SMS verification codes (短信验证码): issued with rate limits, stored hashed, checked once."""
