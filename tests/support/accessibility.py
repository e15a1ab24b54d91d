"""axe-core (bundled by axe-playwright-python, no download) run against a page in the browser."""

from __future__ import annotations

BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def serious_accessibility_problems(page) -> list[str]:
    """Every serious or critical axe-core violation on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING_IMPACTS:
            targets = ", ".join(str(node.get("target")) for node in violation.get("nodes", [])[:5])
            problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return problems


def assert_accessible(page) -> None:
    problems = serious_accessibility_problems(page)
    assert problems == [], f"{page.url}\n" + "\n".join(problems)
