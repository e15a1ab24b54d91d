"""`make chaos` at 100 applications, as `make test`'s share of it: SIGKILLs and bank faults included,
its verdict read from its own last line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from gjj.core.env import REPO_ROOT

N = 100


def test_a_hundred_applications_under_kills_and_bank_faults_end_whole(tmp_path):
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "chaos",
            "--applications",
            str(N),
            "--name",
            "chaostest",
            "--var-dir",
            str(tmp_path / "chaos"),
            "--redis-db",
            "13",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    output = finished.stdout + finished.stderr
    lines = finished.stdout.strip().splitlines()
    assert lines, output[-3000:]
    assert lines[-1] == f"chaos: {N} applications, 0 lost, 0 doubled, checks clean", output[-4000:]
    assert finished.returncode == 0
    # The run did what it says: hall instances and workers were killed, and the bank misbehaved in
    # every way the mix has.
    kills = re.search(r"^kills: (\d+) \((.*)\)", finished.stdout, re.MULTILINE)
    assert kills and int(kills.group(1)) >= 4, output[-3000:]
    assert "hall-" in kills.group(2) and "worker-" in kills.group(2)
    pay = re.search(r"^bank faults pay: (.*)$", finished.stdout, re.MULTILINE)
    assert pay, output[-3000:]
    for kind in ("error", "timeout", "drop_response", "duplicate", "processing"):
        assert f'"{kind}"' in pay.group(1), pay.group(1)
    # Every payout on a statement (one per day the run spanned) and matched there.
    days = re.findall(r"^reconciliation \S+: (\d+) lines, (.*)$", finished.stdout, re.MULTILINE)
    assert sum(int(lines) for lines, _ in days) == N, days
    assert sum(json.loads(buckets)["matched"] for _, buckets in days) == N, days
