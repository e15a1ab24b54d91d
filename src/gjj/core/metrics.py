"""Prometheus metrics: ``/metrics`` on each hall instance, and on ``GJJ_METRICS_PORT`` of a consumer.

- ``gjj_http_request_duration_seconds`` (method, route, status): every request, by URL pattern —
  never the raw path, whose business numbers and serials would make a series per application.
- ``gjj_outside_call_duration_seconds`` (system, operation, outcome) and
  ``gjj_outside_call_errors_total`` (system, kind): every call of gjj.clients.
- ``gjj_task_queue_depth`` (state): Huey's pending and scheduled tasks, read at scrape time.
- In the hall only, read from the database at scrape time (``BusinessCollector``): applications by
  state, the last 24 hours' decisions and their 秒批 share, payouts by state, and the time from
  submission to 到账 of the last 24 hours' paid applications.

Gunicorn runs several worker processes per instance: with ``PROMETHEUS_MULTIPROC_DIR`` set (before
the first import of prometheus_client) each process writes its samples to files there, and a scrape
merges them (gjj.core.gunicorn_conf removes a dead worker's). The scrape-time figures are computed
by the process that answers the scrape, once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIServer

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from gjj.core.origin import address_parse
from gjj.core.percentiles import Percentile, nearest_rank

logger = logging.getLogger(__name__)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"

REQUEST_DURATION = Histogram(
    "gjj_http_request_duration_seconds",
    "处理一个请求的用时（按 URL 模式）",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

OUTCOME_OK = "ok"
OUTCOME_HTTP_ERROR = "http_error"  # a 5xx: a 4xx is the other side's answer about the request
OUTCOME_NO_ANSWER = "no_answer"

OUTSIDE_CALL_DURATION = Histogram(
    "gjj_outside_call_duration_seconds",
    "调用外部系统的用时",
    ["system", "operation", "outcome"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
OUTSIDE_CALL_ERRORS = Counter(
    "gjj_outside_call_errors",
    "调用外部系统失败的次数（kind：http_error、timeout、no_connection、connection_lost）",
    ["system", "kind"],
)

# The last 24 hours of decisions and payments: what operators watch, and an index range each.
BUSINESS_WINDOW = dt.timedelta(hours=24)
PAID_QUANTILES = (0.5, 0.95)


def outside_call_observe(*, system: str, operation: str, outcome: str, seconds: float) -> None:
    OUTSIDE_CALL_DURATION.labels(system=system, operation=operation, outcome=outcome).observe(seconds)


def outside_call_error_count(*, system: str, kind: str) -> None:
    OUTSIDE_CALL_ERRORS.labels(system=system, kind=kind).inc()


# Requests ------------------------------------------------------------------------------------


def request_route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED_ROUTE
    return match.route or match.view_name or UNMATCHED_ROUTE


class MetricsMiddleware:
    """Right after the request id, so that the time of every other middleware is counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_DURATION.labels(
            method=method, route=request_route(request), status=str(response.status_code)
        ).observe(time.perf_counter() - start)
        return response


# Scrape-time collectors ----------------------------------------------------------------------


class QueueDepthCollector:
    """Huey's pending and scheduled tasks; nothing (and a warning) when the queue cannot say."""

    def __init__(self, *, huey: Any) -> None:
        self.huey = huey

    def collect(self) -> Iterator[Metric]:
        try:
            pending, scheduled = self.huey.pending_count(), self.huey.scheduled_count()
        except Exception as exc:  # the storage is Redis or SQLite: whatever it raises
            logger.warning("读取任务队列长度失败：%s", type(exc).__name__)
            return
        depth = GaugeMetricFamily("gjj_task_queue_depth", "任务队列中的任务数", labels=["state"])
        depth.add_metric(["pending"], pending)
        depth.add_metric(["scheduled"], scheduled)
        yield depth


BUSINESS_CACHE_KEY = "gjj:metrics:business"


class BusinessCollector:
    """The centre's figures, one aggregate query each, from the database at scrape time — at most
    once per ``GJJ_METRICS_BUSINESS_CACHE_SECONDS`` for all instances together (the shared cache):
    every instance is scraped, and each figure counts a whole table. A figure whose query fails is
    left out (with a warning), the others still answer."""

    def collect(self) -> Iterator[Metric]:
        figures = cache.get(BUSINESS_CACHE_KEY)
        if figures is None:
            figures = list(self._figures())
            cache.set(BUSINESS_CACHE_KEY, figures, settings.GJJ_METRICS_BUSINESS_CACHE_SECONDS)
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        now = timezone.now()
        for figure in (self._applications, self._decisions, self._payouts, self._submission_to_paid):
            try:
                yield from figure(now=now)
            except DatabaseError as exc:
                logger.warning("统计业务指标 %s 失败：%s", figure.__name__, type(exc).__name__)

    def _applications(self, *, now: dt.datetime) -> Iterable[Metric]:
        from gjj.withdrawals.models import Application, State

        counts = dict(
            Application.objects.values("state").annotate(n=Count("pk")).order_by().values_list("state", "n")
        )
        family = GaugeMetricFamily("gjj_applications", "提取申请数（按状态）", labels=["state"])
        for state in State:
            family.add_metric([state.value], counts.get(state.value, 0))
        return [family]

    def _decisions(self, *, now: dt.datetime) -> Iterable[Metric]:
        from gjj.withdrawals.models import Application

        found = Application.objects.filter(decided_at__gte=now - BUSINESS_WINDOW).aggregate(
            decided=Count("pk"), instant=Count("pk", filter=Q(instant_approved=True))
        )
        decided = GaugeMetricFamily(
            "gjj_applications_decided_last_24h",
            "过去 24 小时审批（通过或不通过）的申请数",
            labels=["instant"],
        )
        decided.add_metric(["yes"], found["instant"])
        decided.add_metric(["no"], found["decided"] - found["instant"])
        families: list[Metric] = [decided]
        if found["decided"]:
            # No share of nothing: an empty day is a missing sample, not 0 %.
            families.append(
                GaugeMetricFamily(
                    "gjj_instant_approval_share_last_24h",
                    "过去 24 小时审批的申请中秒批的比例",
                    value=found["instant"] / found["decided"],
                )
            )
        return families

    def _payouts(self, *, now: dt.datetime) -> Iterable[Metric]:
        from gjj.withdrawals.models import OPEN_PAYOUT_STATES, Payout, PayoutState

        rows = Payout.objects.values("state", "needs_manual").annotate(n=Count("pk")).order_by()
        by_state: dict[str, int] = {}
        manual = 0
        for row in rows:
            by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
            if row["needs_manual"] and row["state"] in OPEN_PAYOUT_STATES:
                manual += row["n"]
        family = GaugeMetricFamily("gjj_payouts", "支付笔数（按状态）", labels=["state"])
        for state in PayoutState:
            family.add_metric([state.value], by_state.get(state.value, 0))
        return [
            family,
            GaugeMetricFamily("gjj_payouts_needing_manual", "需人工处理的未完成支付笔数", value=manual),
        ]

    def _submission_to_paid(self, *, now: dt.datetime) -> Iterable[Metric]:
        from gjj.withdrawals.models import Application

        # Through the (paid_at, submitted_at) index: only the window's rows are read.
        paid = Application.objects.filter(
            paid_at__gte=now - BUSINESS_WINDOW, submitted_at__isnull=False
        ).order_by()
        quantiles: dict[float, float] = {}
        if connection.vendor == "postgresql":
            took = ExpressionWrapper(F("paid_at") - F("submitted_at"), output_field=DurationField())
            found = paid.annotate(took=took).aggregate(
                count=Count("pk"),
                total=Sum("took"),
                **{
                    f"q{index}": Percentile(
                        "took", function="percentile_disc", fraction=fraction, output_field=DurationField()
                    )
                    for index, fraction in enumerate(PAID_QUANTILES)
                },
            )
            count = found["count"]
            total = found["total"].total_seconds() if found["total"] is not None else 0.0
            if count:
                quantiles = {
                    fraction: found[f"q{index}"].total_seconds()
                    for index, fraction in enumerate(PAID_QUANTILES)
                }
        else:
            # SQLite has no percentile aggregate; a day's paid applications are few enough to sort.
            ordered = sorted(
                (paid_at - submitted_at).total_seconds()
                for submitted_at, paid_at in paid.values_list("submitted_at", "paid_at")
                if submitted_at is not None and paid_at is not None  # the filter's; for the types
            )
            count, total = len(ordered), sum(ordered)
            if ordered:
                quantiles = {fraction: nearest_rank(ordered, fraction) for fraction in PAID_QUANTILES}
        name = "gjj_submission_to_paid_seconds_last_24h"
        summary = Metric(name, "过去 24 小时到账的申请从提交到到账的用时（秒）", "summary")
        for fraction, seconds in quantiles.items():
            summary.add_sample(name, {"quantile": str(fraction)}, seconds)
        summary.add_sample(f"{name}_count", {}, count)
        summary.add_sample(f"{name}_sum", {}, total)
        return [summary]


# Exposition ----------------------------------------------------------------------------------


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _task_queue() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def scrape_registry(*, huey: Any, business: bool) -> CollectorRegistry:
    """A registry made for one scrape: this process's metrics (every worker's, merged from the
    files, in multiprocess mode), the queue depth and, in the hall, the business figures."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        # A fresh registry describes nothing, so the default one is collected without a name check.
        registry.register(REGISTRY)
    registry.register(QueueDepthCollector(huey=huey))
    if business:
        registry.register(BusinessCollector())
    return registry


def _allowed_addresses() -> frozenset[str]:
    parsed = (address_parse(item) for item in settings.GJJ_METRICS_ALLOWED_ADDRESSES.split(","))
    return frozenset(address for address in parsed if address is not None)


def metrics_allowed(request: HttpRequest) -> bool:
    """Every address the request came through must be allowed: nginx on loopback forwards the
    public's requests with their address in ``X-Forwarded-For``, and those are refused."""
    chain = [request.META.get("REMOTE_ADDR", "")]
    chain += [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    allowed = _allowed_addresses()
    # An entry that is not an address is None, never allowed.
    return all(address_parse(address) in allowed for address in chain)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    registry = scrape_registry(huey=_task_queue(), business=True)
    return HttpResponse(encoder(registry), content_type=content_type)


# The consumer --------------------------------------------------------------------------------

_consumer_server_lock = threading.Lock()
_consumer_server: WSGIServer | None = None


def consumer_metrics_server_start(*, huey: Any) -> WSGIServer | None:
    """Serve this consumer's metrics on 127.0.0.1:``GJJ_METRICS_PORT`` (nothing when unset): its
    own outside calls (the bank's payouts happen here) and the queue depth, no business figures
    (the hall has them). Once per process, however often it is called."""
    global _consumer_server
    raw = os.environ.get("GJJ_METRICS_PORT", "")
    if not raw:
        return None
    try:
        port = int(raw)
    except ValueError as exc:
        raise RuntimeError(f"环境变量 GJJ_METRICS_PORT 应为端口号，实际为 {raw!r}") from exc
    with _consumer_server_lock:
        if _consumer_server is None:
            registry = scrape_registry(huey=huey, business=False)
            _consumer_server, _ = start_http_server(port, addr="127.0.0.1", registry=registry)
            logger.info("任务队列的指标在 http://127.0.0.1:%s/metrics", port)
        return _consumer_server


def consumer_metrics_server_stop() -> None:
    global _consumer_server
    with _consumer_server_lock:
        if _consumer_server is not None:
            _consumer_server.shutdown()
            _consumer_server.server_close()
            _consumer_server = None
