"""The simulator process itself: health, unknown paths, and its control endpoints' basics."""

from __future__ import annotations

import requests

from tests.support.sims import LiveSims


def test_health_says_ok(live_sims: LiveSims) -> None:
    response = requests.get(f"{live_sims.url}/health", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "sims"}


def test_an_unknown_path_is_a_json_404_distinct_from_a_protocol_not_found(live_sims: LiveSims) -> None:
    response = requests.get(f"{live_sims.url}/bank/no-such-thing/here", timeout=10)

    assert response.status_code == 404
    # Not {"error": "not_found"}: a client pointed at a wrong path must not read "no such house".
    assert response.json()["error"] == "no_such_endpoint"


def test_control_endpoints_take_posts_without_a_csrf_token(live_sims: LiveSims) -> None:
    response = requests.post(f"{live_sims.url}/_control/reset", timeout=10)

    assert response.status_code == 200
    assert set(response.json()["deleted"]) == {"faults", "transfers", "sms"}


def test_the_sims_fixture_points_the_hall_at_the_simulator(sims: LiveSims, settings) -> None:
    configured = (settings.GJJ_REGISTRY_URL, settings.GJJ_BANK_URL, settings.GJJ_SMS_URL)

    assert configured == (f"{sims.url}/registry", f"{sims.url}/bank", f"{sims.url}/sms")
