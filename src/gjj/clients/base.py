"""HTTP plumbing shared by the clients of the outside systems (registry, bank, SMS).

Each outside system sits behind one small interface (a ``Protocol``) with one HTTP implementation;
the simulator process speaks the same protocol over loopback, so pointing the hall at a real system
is a change of URL in the settings, not of code. This module only moves JSON over HTTP: what a
status code means is up to each client, because for a payout "no answer" is not "no payment".

Personal data (ID and card numbers, phones) never reaches a log line unmasked: request bodies are
not logged, and everything logged goes through ``gjj.core.masking``.

Every call carries the hall's ``X-Request-ID`` (gjj.core.request_id), so that the other side's
logs can be matched with ours, and is timed into ``gjj_outside_call_duration_seconds`` under its
system's and operation's name (gjj.core.metrics) — never its path, which holds serials and dates.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError

from gjj.core.masking import mask_text
from gjj.core.metrics import (
    OUTCOME_HTTP_ERROR,
    OUTCOME_NO_ANSWER,
    OUTCOME_OK,
    outside_call_error_count,
    outside_call_observe,
)
from gjj.core.request_id import REQUEST_ID_HEADER, current_request_id

logger = logging.getLogger(__name__)


class OutsideSystemUnavailable(Exception):
    """An outside system could not give a usable answer (unreachable, timed out, an error, or an
    answer that does not follow the protocol). The message is Chinese and fit to show a member."""

    system_label = "外部系统"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or f"{self.system_label}暂时无法访问，请稍后再试"
        super().__init__(self.message)


@dataclass(frozen=True)
class HttpAnswer:
    """An HTTP answer: its status and, when the body was JSON, the decoded body."""

    status: int
    payload: Any
    decoded: bool

    def is_error_code(self, code: str) -> bool:
        """True when the body is a protocol error object such as ``{"error": "not_found"}``."""
        return self.decoded and isinstance(self.payload, dict) and self.payload.get("error") == code


class TransportFailure(Exception):
    """No HTTP answer at all. ``request_sent`` is False only when the request certainly never left
    (the connection could not even be opened); otherwise the other side may have acted on it."""

    def __init__(self, description: str, *, request_sent: bool) -> None:
        super().__init__(description)
        self.description = description
        self.request_sent = request_sent


_local = threading.local()


def http_session() -> requests.Session:
    """One ``requests.Session`` per thread: sessions pool connections but are not thread-safe."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers.update({"Accept": "application/json", "User-Agent": "gjj-online-hall"})
        _local.session = session
    return session


def default_timeout() -> float:
    return float(settings.GJJ_CLIENT_TIMEOUT_SECONDS)


def outgoing_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    """``extra`` and the current request id, for a call of an outside system."""
    headers = dict(extra or {})
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def _failure_kind(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timeout"
    return "no_connection" if _never_sent(exc) else "connection_lost"


class CallTimer:
    """Times one call of an outside system into the metrics; ``answered`` or ``failed`` once."""

    def __init__(self, *, system: str, operation: str) -> None:
        self.system = system
        self.operation = operation
        self._start = time.perf_counter()

    def answered(self, *, status: int) -> None:
        outcome = OUTCOME_HTTP_ERROR if status >= 500 else OUTCOME_OK
        self._observe(outcome)
        if outcome != OUTCOME_OK:
            outside_call_error_count(system=self.system, kind=OUTCOME_HTTP_ERROR)

    def failed(self, exc: requests.RequestException) -> None:
        self._observe(OUTCOME_NO_ANSWER)
        outside_call_error_count(system=self.system, kind=_failure_kind(exc))

    def _observe(self, outcome: str) -> None:
        outside_call_observe(
            system=self.system,
            operation=self.operation,
            outcome=outcome,
            seconds=time.perf_counter() - self._start,
        )


class JsonHttpClient:
    """Sends JSON requests under one base URL and returns ``HttpAnswer``s.

    Raises ``TransportFailure`` when no answer arrived. Requests marked ``idempotent`` are sent a
    second time when the first failed before any answer for a reason other than a timeout (a
    pooled keep-alive connection the server had already closed, typically); waiting twice for a
    slow system would only double the member's wait.
    """

    def __init__(self, *, system: str, base_url: str, timeout: float) -> None:
        if not base_url:
            raise ValueError("base_url is required")
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def get(
        self,
        path: str,
        *,
        operation: str,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpAnswer:
        return self.request("GET", path, operation=operation, params=params, timeout=timeout, idempotent=True)

    def post(
        self,
        path: str,
        *,
        operation: str,
        body: dict[str, Any],
        timeout: float | None = None,
        idempotent: bool = False,
    ) -> HttpAnswer:
        return self.request(
            "POST", path, operation=operation, body=body, timeout=timeout, idempotent=idempotent
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        timeout: float | None = None,
        idempotent: bool = False,
    ) -> HttpAnswer:
        """``operation`` names the call in the metrics (a fixed word, not the path)."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempts = 2 if idempotent else 1
        content_type = None if body is None else {"Content-Type": "application/json; charset=utf-8"}
        for attempt in range(1, attempts + 1):
            timer = CallTimer(system=self.system, operation=operation)
            try:
                response = http_session().request(
                    method,
                    url,
                    params=params,
                    data=None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"),
                    headers=outgoing_headers(content_type),
                    timeout=timeout if timeout is not None else self.timeout,
                )
            except requests.RequestException as exc:
                timer.failed(exc)
                if isinstance(exc, requests.Timeout):
                    raise self._failure(
                        method, url, exc, request_sent=not isinstance(exc, requests.ConnectTimeout)
                    ) from exc
                if attempt < attempts:
                    logger.info("%s %s 连接失败，重试一次：%s", method, _loggable(url), type(exc).__name__)
                    continue
                raise self._failure(method, url, exc, request_sent=not _never_sent(exc)) from exc
            timer.answered(status=response.status_code)
            return _answer(response)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _failure(self, method: str, url: str, exc: Exception, *, request_sent: bool) -> TransportFailure:
        description = f"{method} {_loggable(url)}: {type(exc).__name__}"
        logger.warning("外部系统无应答 %s（请求%s发出）", description, "可能已" if request_sent else "未")
        return TransportFailure(description, request_sent=request_sent)


def _answer(response: requests.Response) -> HttpAnswer:
    try:
        payload = json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return HttpAnswer(status=response.status_code, payload=None, decoded=False)
    return HttpAnswer(status=response.status_code, payload=payload, decoded=True)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the failure happened before the request could reach the other side."""
    if isinstance(
        exc, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.InvalidURL
    ):
        return True
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        # MaxRetryError.reason: NewConnectionError means the TCP connection was never established
        # (refused, unreachable, name not resolved).
        return isinstance(getattr(cause, "reason", cause), NewConnectionError)
    return False


def _loggable(url: str) -> str:
    return mask_text(url)


def protocol_mismatch(
    exc_type: type[OutsideSystemUnavailable], *, what: str, answer: HttpAnswer
) -> OutsideSystemUnavailable:
    """An answer that does not follow the protocol: logged for operators, a plain message for people."""
    logger.warning("%s 的应答不符合接口约定：HTTP %s，%s", exc_type.system_label, answer.status, what)
    return exc_type(f"{exc_type.system_label}返回的数据无法识别，请稍后再试")
