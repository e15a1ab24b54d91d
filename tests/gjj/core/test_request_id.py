"""One request id per request: taken from nginx when it is a plain token, else made here; on every
log line (JSON when configured, personal data masked) and in the tasks the request enqueues."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from importlib.util import module_from_spec, spec_from_file_location
from typing import Any

import pytest
from huey.api import Huey

from gjj.core.json_logging import JsonFormatter
from gjj.core.masking import MaskPersonalDataFilter
from gjj.core.request_id import RequestIdFilter, is_safe_request_id, request_id_scope
from gjj.core.task_queue import (
    RequestIdMemoryHuey,
    RequestIdSqliteHuey,
)
from tests.gjj.core import urls_request_id

ID_NUMBER = "110101199003070011"
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The test view's and Huey's log lines, through the project's filters and JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskPersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("tests.gjj.core.request_id"), logging.getLogger("huey")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def base_settings() -> dict[str, Any]:
    """gjj.settings.base run afresh under the current environment (not the loaded settings)."""
    import gjj.settings.base

    spec = spec_from_file_location("gjj_settings_base_afresh", gjj.settings.base.__file__)
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def request_id_urls(settings) -> None:
    settings.ROOT_URLCONF = "tests.gjj.core.urls_request_id"
    urls_request_id.TASK_RUNS.clear()


# --- the header ---------------------------------------------------------------------------------


def test_a_plain_request_id_from_the_proxy_is_kept_and_returned(client) -> None:
    nginx_id = "0f8e2c6a9b7d4e1f8a3c5b2d7e9f1a4c"
    response = client.get("/health/live", headers={"X-Request-ID": nginx_id})
    assert response["X-Request-ID"] == nginx_id


def test_a_request_without_an_id_gets_a_new_one(client) -> None:
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


@pytest.mark.parametrize(
    "hostile",
    [
        "abc\r\nSet-Cookie: x=1",
        'abc" "level": "ERROR',
        "a" * 65,
        "ünicode",
        "a b",
        "../../etc",
    ],
)
def test_a_hostile_request_id_is_replaced(client, hostile) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": hostile})
    assert NEW_ID.fullmatch(response["X-Request-ID"])


def test_the_safe_token_rule() -> None:
    assert is_safe_request_id("a" * 64) and is_safe_request_id("req-1-A")
    assert not is_safe_request_id("") and not is_safe_request_id(None) and not is_safe_request_id("a_b")


# --- log lines ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id_with_personal_data_masked(
    client, request_id_urls, json_log
) -> None:
    response = client.get("/log-and-enqueue/", headers={"X-Request-ID": "req-7"})

    assert response.json() == {"request_id": "req-7"}
    (submitted,) = [line for line in lines(json_log) if "提交了申请" in line["message"]]
    assert submitted["request_id"] == "req-7"
    assert submitted["message"] == "申请人 1101**********0011 提交了申请"
    assert submitted["level"] == "INFO" and submitted["logger"] == "tests.gjj.core.request_id"
    assert ID_NUMBER not in json_log.getvalue()


@pytest.mark.django_db
def test_djangos_own_line_about_a_404_carries_the_id_too(client, json_log) -> None:
    django_request = logging.getLogger("django.request")
    handler = logging.getLogger("tests.gjj.core.request_id").handlers[-1]
    django_request.addHandler(handler)
    try:
        client.get("/no/such/page/", headers={"X-Request-ID": "req-404"})
    finally:
        django_request.removeHandler(handler)

    (not_found,) = [line for line in lines(json_log) if line["logger"] == "django.request"]
    assert not_found["request_id"] == "req-404" and not_found["level"] == "WARNING"


def test_a_line_outside_any_request_has_a_dash(json_log) -> None:
    logging.getLogger("tests.gjj.core.request_id").info("启动")
    (line,) = lines(json_log)
    assert line["request_id"] == "-"


def test_the_json_line_has_an_iso_time_with_offset_and_the_masked_traceback(json_log) -> None:
    logger = logging.getLogger("tests.gjj.core.request_id")
    with request_id_scope(request_id="req-9"):
        try:
            raise ValueError(f"卡号 {ID_NUMBER} 无法识别")
        except ValueError:
            logger.exception("核验失败")

    (line,) = lines(json_log)
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() is not None
    assert line["request_id"] == "req-9" and line["level"] == "ERROR" and line["message"] == "核验失败"
    assert (
        "Traceback" in line["exc_info"] and "ValueError: 卡号 1101**********0011 无法识别" in line["exc_info"]
    )
    assert ID_NUMBER not in json_log.getvalue()


def test_gjj_log_format_json_configures_every_handler_with_both_filters(
    monkeypatch, capsys, settings
) -> None:
    monkeypatch.setenv("GJJ_LOG_FORMAT", "json")
    configured = base_settings()["LOGGING"]

    for handler in configured["handlers"].values():
        assert handler["formatter"] == "json"
        assert {"request_id", "mask_personal_data"} <= set(handler["filters"])
    try:
        logging.config.dictConfig(configured)
        with request_id_scope(request_id="req-json"):
            logging.getLogger("gjj.tests.json").warning("身份证号 %s", ID_NUMBER)
        (written,) = capsys.readouterr().err.splitlines()
    finally:
        logging.config.dictConfig(settings.LOGGING)

    assert json.loads(written) == {
        "time": json.loads(written)["time"],
        "level": "WARNING",
        "logger": "gjj.tests.json",
        "message": "身份证号 1101**********0011",
        "request_id": "req-json",
    }


def test_an_unknown_log_format_stops_start_up(monkeypatch) -> None:
    monkeypatch.setenv("GJJ_LOG_FORMAT", "xml")
    with pytest.raises(RuntimeError, match="GJJ_LOG_FORMAT"):
        base_settings()


# --- tasks --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_enqueued_in_a_request_runs_and_logs_under_its_id(client, request_id_urls, json_log) -> None:
    client.get("/log-and-enqueue/", headers={"X-Request-ID": "req-42"})

    assert urls_request_id.TASK_RUNS == [("from-request", "req-42")]
    ran = [line for line in lines(json_log) if "任务 from-request 已执行" in line["message"]]
    executing = [line for line in lines(json_log) if line["message"].startswith("Executing ")]
    assert [line["request_id"] for line in ran + executing] == ["req-42", "req-42"]


def test_a_task_enqueued_outside_a_request_gets_an_id_of_its_own() -> None:
    urls_request_id.TASK_RUNS.clear()
    urls_request_id.note_request_id("periodic-1")
    urls_request_id.note_request_id("periodic-2")

    (_, first), (_, second) = urls_request_id.TASK_RUNS
    assert NEW_ID.fullmatch(first or "") and NEW_ID.fullmatch(second or "") and first != second


@pytest.fixture(params=["memory", "sqlite"])
def queue(request, tmp_path) -> Huey:
    """A queue that really stores its messages (not immediate), as the consumer sees them."""
    if request.param == "sqlite":
        return RequestIdSqliteHuey("gjj-test-queue", filename=str(tmp_path / "queue.sqlite3"))
    return RequestIdMemoryHuey("gjj-test-queue", immediate=False)


def _run_next(queue: Huey, *, now: dt.datetime | None = None) -> None:
    queue.execute(queue.dequeue(), now)


def test_the_id_travels_through_the_stored_message_and_survives_a_delayed_retry(queue) -> None:
    seen: list[str | None] = []

    @queue.task(retries=1, retry_delay=60)
    def flaky() -> None:
        from gjj.core.request_id import current_request_id

        seen.append(current_request_id())
        if len(seen) == 1:
            raise RuntimeError("银行无应答")

    with request_id_scope(request_id="req-retry"):
        flaky()
    assert seen == [] and queue.pending_count() == 1

    _run_next(queue)  # fails: scheduled again in 60 s
    assert queue.pending_count() == 0 and queue.scheduled_count() == 1
    # The scheduler thread re-enqueues it outside of any request.
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=2)
    for task in queue.read_schedule(later):
        queue.enqueue(task)
    _run_next(queue, now=later)

    assert seen == ["req-retry", "req-retry"]


def test_a_message_queued_before_the_id_existed_still_runs_with_a_fresh_id(queue) -> None:
    seen: list[str | None] = []

    @queue.task()
    def old() -> None:
        from gjj.core.request_id import current_request_id

        seen.append(current_request_id())

    # What a plain Huey stored: the bare message.
    queue.storage.enqueue(Huey.serialize_task(queue, old.s()), None)
    _run_next(queue)

    assert len(seen) == 1 and NEW_ID.fullmatch(seen[0] or "")
