"""Every call of an outside system carries the request id and is measured by system, operation and
outcome — against a small HTTP server that records what it was sent."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import REGISTRY

from gjj.clients.bank import HttpBankClient
from gjj.clients.base import JsonHttpClient, TransportFailure
from gjj.core.request_id import request_id_scope


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.headers_seen: list[dict[str, str]] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _answer(self) -> None:
        self.server.headers_seen.append(dict(self.headers.items()))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/slow"):
            self.server.release.wait(10)
        if self.path.startswith("/statements/"):
            body, status, content_type = b"date,serial\n", 200, "text/csv; charset=utf-8"
        elif self.path.startswith("/broken"):
            body, status, content_type = b'{"error": "internal"}', 503, "application/json"
        else:
            body, status, content_type = json.dumps({"ok": True}).encode(), 200, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.release.set()
    recorder.shutdown()
    recorder.server_close()


def count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def calls(system: str, operation: str, outcome: str) -> float:
    return count(
        "gjj_outside_call_duration_seconds_count", system=system, operation=operation, outcome=outcome
    )


def test_a_call_carries_the_request_id(server) -> None:
    client = JsonHttpClient(system="registry", base_url=server.url, timeout=5)

    with request_id_scope(request_id="req-outside-1"):
        client.get("houses", operation="find_house", params={"contract_no": "X1"})
        client.post("houses/by-buyer", operation="houses_of", body={"id_number": "x"})

    assert [seen["X-Request-ID"] for seen in server.headers_seen] == ["req-outside-1", "req-outside-1"]
    assert server.headers_seen[1]["Content-Type"] == "application/json; charset=utf-8"


def test_a_call_outside_of_any_request_sends_no_id(server) -> None:
    JsonHttpClient(system="registry", base_url=server.url, timeout=5).get("houses", operation="find_house")
    assert "X-Request-ID" not in server.headers_seen[0]


def test_the_bank_statement_download_carries_it_too(server) -> None:
    bank = HttpBankClient(base_url=server.url, timeout=5, pay_timeout=5)
    before = calls("bank", "daily_statement", "ok")

    with request_id_scope(request_id="req-statement"):
        assert bank.daily_statement(day=dt.date(2026, 11, 27)) == b"date,serial\n"

    assert server.headers_seen[0]["X-Request-ID"] == "req-statement"
    assert server.headers_seen[0]["Accept"] == "text/csv"
    assert calls("bank", "daily_statement", "ok") == before + 1


def test_answers_are_measured_by_outcome_and_a_5xx_is_counted_as_an_error(server) -> None:
    client = JsonHttpClient(system="sms", base_url=server.url, timeout=5)
    ok, failed = calls("sms", "send", "ok"), calls("sms", "send", "http_error")
    errors = count("gjj_outside_call_errors_total", system="sms", kind="http_error")

    client.post("send", operation="send", body={})
    answer = client.post("broken", operation="send", body={})

    assert answer.status == 503
    assert calls("sms", "send", "ok") == ok + 1
    assert calls("sms", "send", "http_error") == failed + 1
    assert count("gjj_outside_call_errors_total", system="sms", kind="http_error") == errors + 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_connection_is_measured_as_no_answer_for_each_attempt() -> None:
    client = JsonHttpClient(system="wechat", base_url=f"http://127.0.0.1:{_closed_port()}", timeout=5)
    before = calls("wechat", "access_token", "no_answer")
    errors = count("gjj_outside_call_errors_total", system="wechat", kind="no_connection")

    with pytest.raises(TransportFailure):
        client.get("cgi-bin/token", operation="access_token")  # idempotent: tried twice

    assert calls("wechat", "access_token", "no_answer") == before + 2
    assert count("gjj_outside_call_errors_total", system="wechat", kind="no_connection") == errors + 2


def test_a_timeout_is_counted_as_such(server) -> None:
    client = JsonHttpClient(system="bank", base_url=server.url, timeout=0.2)
    errors = count("gjj_outside_call_errors_total", system="bank", kind="timeout")

    with pytest.raises(TransportFailure) as raised:
        client.post("slow", operation="pay", body={})

    assert raised.value.request_sent
    assert count("gjj_outside_call_errors_total", system="bank", kind="timeout") == errors + 1
