"""The clients are configuration, not code: factories read the settings at each call."""

from __future__ import annotations

from gjj.clients.bank import HttpBankClient, get_bank_client
from gjj.clients.base import OutsideSystemUnavailable
from gjj.clients.registry import HttpRegistryClient, RegistryUnavailable, get_registry_client
from gjj.clients.sms import HttpSmsClient, SmsUnavailable, get_sms_client


def test_factories_follow_the_settings_of_the_moment(settings) -> None:
    settings.GJJ_REGISTRY_URL = "http://registry.example.invalid/api/"
    settings.GJJ_BANK_URL = "http://bank.example.invalid/gw"
    settings.GJJ_CLIENT_TIMEOUT_SECONDS = 2.5
    settings.GJJ_BANK_PAY_TIMEOUT_SECONDS = 7

    registry = get_registry_client()
    bank = get_bank_client()

    assert isinstance(registry, HttpRegistryClient)
    assert isinstance(bank, HttpBankClient)
    assert isinstance(get_sms_client(), HttpSmsClient)
    assert (registry._http.base_url, registry._http.timeout) == ("http://registry.example.invalid/api", 2.5)
    assert (bank._http.base_url, bank._pay_timeout) == ("http://bank.example.invalid/gw", 7.0)


def test_every_unavailability_has_a_chinese_message_and_a_common_base() -> None:
    for error in (RegistryUnavailable(), SmsUnavailable()):
        assert isinstance(error, OutsideSystemUnavailable)
        assert "暂时无法访问" in str(error)
