"""Masking of 身份证号, card and phone numbers in pages and logs."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from gjj.core.masking import MaskPersonalDataFilter, mask_card_number, mask_id_number, mask_phone, mask_text

DIGITS = "0123456789"
ID_NUMBER = "11010519491231002X"
CARD_19 = "6217000010001234569"
CARD_16 = "4111111111111111"
PHONE = "13812345678"


def digit_strings(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=min_size, max_size=max_size)


def id_like() -> st.SearchStrategy[str]:
    return st.tuples(digit_strings(17, 17), st.sampled_from([*DIGITS, "X", "x"])).map("".join)


def phones() -> st.SearchStrategy[str]:
    return digit_strings(10, 10).map(lambda rest: "1" + rest)


# --- single values ---------------------------------------------------------------------------


def test_mask_id_number_shows_first_and_last_four() -> None:
    assert mask_id_number(ID_NUMBER) == "1101**********002X"


def test_mask_card_number_shows_first_and_last_four() -> None:
    assert mask_card_number(CARD_19) == "6217 **** **** 4569"
    assert mask_card_number(CARD_16) == "4111 **** **** 1111"


def test_mask_phone_shows_first_three_and_last_four() -> None:
    assert mask_phone(PHONE) == "138****5678"


@pytest.mark.parametrize("mask", [mask_id_number, mask_card_number, mask_phone])
@pytest.mark.parametrize("value", [None, ""])
def test_nothing_masks_to_nothing(mask, value) -> None:
    assert mask(value) == ""


@given(st.text(min_size=8, max_size=40))
def test_mask_id_number_reveals_only_first_and_last_four(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:4] == value[:4]
    assert masked[-4:] == value[-4:]
    assert set(masked[4:-4]) <= {"*"}


@given(st.text(min_size=8, max_size=40), st.text(min_size=8, max_size=40))
def test_mask_card_number_depends_only_on_first_and_last_four(a: str, b: str) -> None:
    # Same first and last four, any middle and any length: the masks cannot be told apart.
    b = a[:4] + b[4:-4] + a[-4:]
    assert mask_card_number(a) == mask_card_number(b) == f"{a[:4]} **** **** {a[-4:]}"


@given(st.text(min_size=7, max_size=30))
def test_mask_phone_reveals_only_first_three_and_last_four(value: str) -> None:
    masked = mask_phone(value)
    assert masked[:3] == value[:3]
    assert masked[-4:] == value[-4:]
    assert set(masked[3:-4]) <= {"*"}


@pytest.mark.parametrize(
    ("mask", "shorter_than"), [(mask_id_number, 8), (mask_card_number, 8), (mask_phone, 7)]
)
@given(data=st.data())
def test_short_values_are_masked_completely(mask, shorter_than: int, data: st.DataObject) -> None:
    value = data.draw(st.text(min_size=1, max_size=shorter_than - 1))
    assert mask(value) == "*" * len(value)


# --- free text -------------------------------------------------------------------------------


def test_mask_text_masks_numbers_inside_a_sentence() -> None:
    text = f"申请人{ID_NUMBER}使用银行卡{CARD_19}（备用卡 {CARD_16}），手机{PHONE}，金额 86420.50 元，日期 2026-11-27。"
    masked = mask_text(text)
    assert masked == (
        "申请人1101**********002X使用银行卡6217 **** **** 4569（备用卡 4111 **** **** 1111），"
        "手机138****5678，金额 86420.50 元，日期 2026-11-27。"
    )


def test_mask_text_masks_a_lower_case_x_id_number() -> None:
    assert mask_text(f"id={ID_NUMBER.lower()};") == "id=1101**********002x;"


def test_mask_text_leaves_other_numbers_alone() -> None:
    text = "业务流水号 TQ20261127000123，余额 1234567.89 元，卡号尾号 4569，1380013800"
    assert mask_text(text) == text


@st.composite
def sentences_with_personal_data(draw: st.DrawFn) -> tuple[str, list[str]]:
    filler = st.text(alphabet="申请人卡号手机，。 :=abc", max_size=6)
    secrets = draw(st.lists(st.one_of(id_like(), digit_strings(16, 19), phones()), min_size=1, max_size=5))
    parts = [draw(filler)]
    for secret in secrets:
        # Separate numbers by a non-digit so that each is one number, as in a real sentence.
        parts += [secret, draw(filler) or "，"]
    return "".join(parts), secrets


@given(sentences_with_personal_data())
def test_mask_text_never_leaks_more_than_the_ends(case: tuple[str, list[str]]) -> None:
    text, secrets = case
    masked = mask_text(text)
    # No run of more than four digits survives: every number shows at most its first/last four.
    assert not re.search(r"\d{5,}", masked)
    for secret in secrets:
        assert secret not in masked
        assert secret[-4:] in masked


# --- logging ---------------------------------------------------------------------------------


@pytest.fixture
def masked_logger():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskPersonalDataFilter())
    logger = logging.getLogger("tests.gjj.core.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_log_filter_masks_the_formatted_message(masked_logger) -> None:
    logger, stream = masked_logger
    logger.info("申请人 %s 卡号 %s 手机 %s 金额 %s", ID_NUMBER, CARD_19, PHONE, "86420.50")
    logger.info("直接拼接：%s" % CARD_16)  # noqa: UP031 - code that formats before logging
    output = stream.getvalue()
    for secret in (ID_NUMBER, CARD_19, PHONE, CARD_16):
        assert secret not in output
    assert "INFO 申请人 1101**********002X 卡号 6217 **** **** 4569 手机 138****5678 金额 86420.50" in output
    assert "INFO 直接拼接：4111 **** **** 1111" in output


def test_log_filter_keeps_every_record_and_leaves_clean_ones_untouched() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "金额 %s 元", ("86420.50",), None)
    assert MaskPersonalDataFilter().filter(record) is True
    assert record.msg == "金额 %s 元" and record.args == ("86420.50",)

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "卡号 %s", (CARD_19,), None)
    assert MaskPersonalDataFilter().filter(record) is True
    assert record.getMessage() == "卡号 6217 **** **** 4569"


def test_settings_put_the_filter_on_the_console_handler() -> None:
    logging_config = settings.LOGGING
    name = next(
        key
        for key, spec in logging_config["filters"].items()
        if spec.get("()") in ("gjj.core.masking.MaskPersonalDataFilter", MaskPersonalDataFilter)
    )
    for handler in logging_config["handlers"].values():
        assert name in handler.get("filters", [])


def test_log_filter_masks_the_exception_text_and_the_traceback(masked_logger) -> None:
    logger, stream = masked_logger

    def check(id_number: str, card_no: str) -> None:
        raise ValueError(f"无法识别的卡号 {card_no}，持卡人 {id_number}，手机 {PHONE}")

    try:
        check(ID_NUMBER, CARD_19)
    except ValueError:
        logger.exception("核验失败")
    logger.warning("调用栈", stack_info=True, extra={"note": CARD_16})

    output = stream.getvalue()
    assert "Traceback (most recent call last)" in output and "ValueError: 无法识别的卡号" in output
    for secret in (ID_NUMBER, CARD_19, PHONE):
        assert secret not in output
    assert (
        "ValueError: 无法识别的卡号 6217 **** **** 4569，持卡人 1101**********002X，手机 138****5678"
        in output
    )
    assert not re.search(r"\d{5,}", output)  # nothing longer than a masked end survives


def test_the_logging_settings_mask_a_traceback_end_to_end(capsys) -> None:
    """Through the project's own LOGGING (handler, filter and formatter as configured)."""
    import logging.config

    logging.config.dictConfig({**settings.LOGGING, "disable_existing_loggers": False})
    logger = logging.getLogger("gjj.tests.masking")
    try:
        raise RuntimeError(f"bank said no for {CARD_16} of {ID_NUMBER}")
    except RuntimeError:
        logger.exception("支付出错")

    written = capsys.readouterr().err
    assert "支付出错" in written and "RuntimeError: bank said no for 4111 **** **** 1111" in written
    assert CARD_16 not in written and ID_NUMBER not in written
