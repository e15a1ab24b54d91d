"""`make bench`'s P1 and P2 in a short version against the session's live stack (either engine): they
run to the end with no error. Speed is `make bench`'s business, not this test's.

The bench's own members (a seed of their own, imported like any test's members) keep it apart from
the other browser tests; each member and each load worker connects from its own loopback address
(bench.load.SPREAD_SOURCES), so the SSO's and the hall's per-address limits count them as separate
clients and the other tests' 127.0.0.1 keeps its whole budget."""

from __future__ import annotations

import concurrent.futures
from types import SimpleNamespace

import pytest

from bench import load, members, p1, p2

pytestmark = pytest.mark.browser

SEED = 77  # not make bench's: every number of a member carries its seed
P2_MEMBERS = 10


def _in_a_thread(run, **kwargs):
    """``run(**kwargs)`` in a thread of its own: the bench's parts start their own asyncio loop, and
    Playwright's sync API keeps one running in this thread once a browser test has started it."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run, **kwargs).result()


@pytest.fixture
def spread_sources(monkeypatch):
    monkeypatch.setattr(load, "SPREAD_SOURCES", True)


def test_p1_and_p2_run_to_the_end_with_no_error(live_stack, tmp_path, spread_sources):
    p1_settings = p1.Settings(
        round_seconds=6.0, round_count=12, warmup_seconds=3.0, concurrencies=(4,), repeats=1
    )
    p2_settings = p2.Settings(seconds=1.5, concurrency=P2_MEMBERS)
    pool = members.generate(p1.members_needed(p1_settings) + P2_MEMBERS, seed=SEED)
    live_stack.gjj("import-dataset", str(members.write(tmp_path / "bench-members.json", pool)))
    stack = SimpleNamespace(hall=live_stack.hall, govsso=live_stack.govsso, env=live_stack.env)
    said: list[str] = []

    first = _in_a_thread(
        p1.run,
        stack=stack,
        members=pool[P2_MEMBERS:],
        floor_insert={},
        settings=p1_settings,
        progress=said.append,
    )

    rounds = first.details["rounds"]
    assert [r["concurrency"] for r in rounds] == [4]
    assert first.details["errors"] == 0, [r["error_samples"] for r in rounds]
    assert rounds[0]["ok"] > 0 and first.figures["p1_apps_per_s"] > 0
    one = first.details["one_application"]
    assert "error" not in one, one.get("error")
    assert one["state_after"] == "paid" and one["statements"]["total"] > 0
    assert {"govsso", "registry", "bank"} <= set(one["outside_calls"])
    # Every application of the round was paid (the payout worker of the live stack), so P3 has them all.
    assert rounds[0]["p3"]["not_paid"] == 0 and rounds[0]["p3"]["paid"] == rounds[0]["ok"]
    assert first.figures["p3_p99_s"] is not None

    second = _in_a_thread(
        p2.run,
        stack=stack,
        members=pool[:P2_MEMBERS],
        floor_read=None,
        settings=p2_settings,
        progress=said.append,
    )

    pages = second.details["pages"]
    assert set(pages) == {key for key, _, _ in p2.PAGES}
    assert second.details["errors"] == 0, {k: p["error_samples"] for k, p in pages.items()}
    assert all(page["ok"] > 0 for page in pages.values())
    assert "## P1" in first.markdown and "## P2" in second.markdown
