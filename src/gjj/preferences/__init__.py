"""What a member chose about how the hall looks to them: for now the 适老化 (长辈版) display mode,
kept per 缴存职工 so that it follows them to the other channel and to their next login."""
