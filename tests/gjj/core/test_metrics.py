"""/metrics: requests by URL pattern, the queue, the centre's figures; loopback only; the worker
processes of one gunicorn merged; the consumer's own server."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import requests
from django.utils import timezone
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from gjj.core import metrics
from gjj.core.gunicorn_conf import child_exit
from gjj.core.task_queue import RequestIdMemoryHuey
from gjj.fleet.topology import free_port
from gjj.withdrawals.models import Application, Payout, PayoutState, State
from tests.gjj.conftest import funded_member
from tests.support.sims import REPO_ROOT

pytestmark = pytest.mark.django_db


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


# --- access -------------------------------------------------------------------------------------


def test_metrics_answer_loopback(client) -> None:
    assert "gjj_task_queue_depth" in scrape(client)


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        # nginx on the same machine forwards the public's request: refused by the forwarded address.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"},
    ],
)
def test_metrics_are_a_404_to_anyone_else(client, extra) -> None:
    response = client.get("/metrics", **extra)
    assert response.status_code == 404
    assert b"gjj_" not in response.content


def test_the_allowed_addresses_are_configurable(client, settings) -> None:
    settings.GJJ_METRICS_ALLOWED_ADDRESSES = "10.0.0.5, 127.0.0.1"
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.6").status_code == 404


# --- requests -----------------------------------------------------------------------------------


def test_requests_are_measured_by_route_never_by_path(client) -> None:
    before = samples(scrape(client))
    client.get("/health/live")
    client.get("/hall/applications/TQ2026112700001234/")  # a member page: redirected to log in
    client.get("/no/such/page/98765/")
    text = scrape(client)
    after = samples(text)

    def grew(**labels: str) -> float:
        name = "gjj_http_request_duration_seconds_count"
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert grew(method="GET", route="health/live", status="200") == 1
    assert grew(method="GET", route="hall/applications/<str:business_no>/", status="302") == 1
    assert grew(method="GET", route="<unmatched>", status="404") == 1
    assert "TQ2026112700001234" not in text and "98765" not in text


# --- the centre's figures ----------------------------------------------------------------------


def test_the_business_figures_come_from_the_database(client) -> None:
    person = funded_member()
    now = timezone.now()

    def application(state: str, **fields) -> Application:
        return Application.objects.create(
            person=person, account=person.account, channel="web", state=state, amount_fen=100_000, **fields
        )

    application(State.SUBMITTED, submitted_at=now)
    application(State.UNDER_REVIEW, submitted_at=now)
    application(
        State.REJECTED, submitted_at=now - dt.timedelta(hours=5), decided_at=now - dt.timedelta(hours=1)
    )
    paid = [
        application(
            State.PAID,
            submitted_at=now - dt.timedelta(hours=2, seconds=seconds),
            decided_at=now - dt.timedelta(hours=2),
            paid_at=now - dt.timedelta(hours=2),
            instant_approved=True,
        )
        for seconds in (60, 120, 600)
    ]
    # Paid two days ago: a decision and a payment outside the last 24 hours.
    application(
        State.PAID,
        submitted_at=now - dt.timedelta(days=2, hours=1),
        decided_at=now - dt.timedelta(days=2),
        paid_at=now - dt.timedelta(days=2),
        instant_approved=True,
    )
    for index, (app, state, manual) in enumerate(
        [
            (paid[0], PayoutState.DONE, False),
            (paid[1], PayoutState.DONE, False),
            (paid[2], PayoutState.UNKNOWN, True),
        ]
    ):
        Payout.objects.create(
            application=app,
            serial=f"P{index:05d}",
            bank="CCB",
            card_no="6217000010000000001",
            holder_name="张伟",
            amount_fen=100_000,
            state=state,
            needs_manual=manual,
            created_at=now,
        )

    found = samples(scrape(client))

    assert value(found, "gjj_applications", state="submitted") == 1
    assert value(found, "gjj_applications", state="under_review") == 1
    assert value(found, "gjj_applications", state="paid") == 4
    assert value(found, "gjj_applications", state="draft") == 0
    assert value(found, "gjj_applications_decided_last_24h", instant="yes") == 3
    assert value(found, "gjj_applications_decided_last_24h", instant="no") == 1
    assert value(found, "gjj_instant_approval_share_last_24h") == 0.75
    assert value(found, "gjj_payouts", state="done") == 2
    assert value(found, "gjj_payouts", state="unknown") == 1
    assert value(found, "gjj_payouts", state="failed") == 0
    assert value(found, "gjj_payouts_needing_manual") == 1
    name = "gjj_submission_to_paid_seconds_last_24h"
    assert value(found, f"{name}_count") == 3
    assert value(found, f"{name}_sum") == pytest.approx(780, abs=1)
    assert value(found, name, quantile="0.5") == pytest.approx(120, abs=1)
    assert value(found, name, quantile="0.95") == pytest.approx(600, abs=1)


def test_an_empty_day_has_no_instant_share_and_no_quantiles(client) -> None:
    found = samples(scrape(client))
    assert value(found, "gjj_instant_approval_share_last_24h") is None
    assert value(found, "gjj_submission_to_paid_seconds_last_24h_count") == 0
    assert value(found, "gjj_submission_to_paid_seconds_last_24h", quantile="0.5") is None


def test_the_figures_are_counted_once_for_every_scrape_within_the_cache_time(client) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gjj.core.metrics import BUSINESS_CACHE_KEY

    person = funded_member()
    Application.objects.create(person=person, account=person.account, channel="web", state=State.SUBMITTED)
    assert value(samples(scrape(client)), "gjj_applications", state="submitted") == 1

    Application.objects.create(person=person, account=person.account, channel="web", state=State.SUBMITTED)
    with CaptureQueriesContext(connection) as queries:
        again = samples(scrape(client))  # another instance's scrape, within the cache time
    assert value(again, "gjj_applications", state="submitted") == 1
    assert not [q for q in queries.captured_queries if "withdrawals_application" in q["sql"]]

    cache.delete(BUSINESS_CACHE_KEY)  # the cache time has passed
    assert value(samples(scrape(client)), "gjj_applications", state="submitted") == 2


def test_the_queue_depth_counts_pending_and_scheduled_tasks() -> None:
    queue = RequestIdMemoryHuey("gjj-test-depth", immediate=False)

    @queue.task()
    def noop() -> None:
        return None

    noop()
    noop()
    # What the worker does with a task whose time has not come.
    later = noop.s()
    later.eta = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
    queue.add_schedule(later)
    (family,) = metrics.QueueDepthCollector(huey=queue).collect()

    assert {sample.labels["state"]: sample.value for sample in family.samples} == {
        "pending": 2,
        "scheduled": 1,
    }


def test_a_queue_that_cannot_answer_is_left_out_of_the_scrape() -> None:
    class Broken:
        def pending_count(self) -> int:
            raise ConnectionError("redis gone")

    assert list(metrics.QueueDepthCollector(huey=Broken()).collect()) == []


# --- several gunicorn workers -------------------------------------------------------------------

WORKER = """
from gjj.core.metrics import outside_call_observe
outside_call_observe(system="bank", operation="pay", outcome="ok", seconds=0.3)
"""


def test_multiprocess_mode_merges_the_workers_files_and_a_dead_worker_is_marked(
    tmp_path, monkeypatch
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT / "src")}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WORKER], env=env, check=True, capture_output=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    queue = RequestIdMemoryHuey("gjj-test-multi", immediate=False)
    text = generate_latest(metrics.scrape_registry(huey=queue, business=False)).decode()
    found = samples(text)

    labels = {"system": "bank", "operation": "pay", "outcome": "ok"}
    assert value(found, "gjj_outside_call_duration_seconds_count", **labels) == 2
    assert value(found, "gjj_task_queue_depth", state="pending") == 0

    # A dead worker's live gauges go (its counters and histograms stay counted).
    dead_gauge = tmp_path / "gauge_livesum_12345.db"
    dead_gauge.write_bytes(b"")
    child_exit(None, SimpleNamespace(pid=12345))
    assert not dead_gauge.exists()
    assert any(path.name.startswith("histogram_") for path in tmp_path.iterdir())


# --- the consumer -------------------------------------------------------------------------------


def test_the_consumer_serves_its_own_metrics_once_on_loopback(monkeypatch) -> None:
    port = free_port()
    monkeypatch.setenv("GJJ_METRICS_PORT", str(port))
    queue = RequestIdMemoryHuey("gjj-test-consumer", immediate=False)
    try:
        queue.create_consumer(workers=1)
        server = metrics._consumer_server
        queue.create_consumer(workers=1)  # a second call starts nothing more
        assert metrics._consumer_server is server

        metrics.outside_call_observe(system="bank", operation="pay", outcome="no_answer", seconds=10.0)
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        metrics.consumer_metrics_server_stop()

    found = samples(text)
    assert value(found, "gjj_task_queue_depth", state="pending") == 0
    assert value(
        found, "gjj_outside_call_duration_seconds_count", system="bank", operation="pay", outcome="no_answer"
    )
    assert "gjj_applications" not in text  # the hall has the centre's figures


def test_no_port_no_consumer_server(monkeypatch) -> None:
    monkeypatch.delenv("GJJ_METRICS_PORT", raising=False)
    assert metrics.consumer_metrics_server_start(huey=RequestIdMemoryHuey("x", immediate=False)) is None
