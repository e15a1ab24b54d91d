"""Importing one ``gjj-dataset/1`` document into every part that owns its data.

The hall (people, accounts, loans, earlier withdrawals) is loaded in this process; the housing
registry and bank simulators (houses, bank accounts) and govsso (government accounts) are
separate Django projects with their own databases, so each is loaded by its own ``load_dataset``
command in a subprocess.

Order, so that a refused or failed import leaves no trace in the hall:

1. read and validate the whole document — a problem anywhere and nothing is written anywhere;
2. load the hall inside a transaction;
3. while that transaction is still open, run the simulators' and govsso's loaders;
4. commit the hall only when both succeeded. Their loads are atomic and idempotent themselves,
   so after a failure a second run of the same command converges.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from gjj.datasets.documents import dataset_read
from gjj.datasets.hall_loader import LoadSummary, dataset_load_into_hall
from gjj.datasets.validation import DatasetProblem, validate_dataset

# The other processes' loaders, by settings module and a Chinese name for messages.
OUTSIDE_LOADERS = (
    ("sims.settings", "模拟器（不动产登记、银行）"),
    ("govsso.settings", "政务服务网（govsso）"),
)
SUBPROCESS_TIMEOUT_SECONDS = 3600


class DatasetRefused(Exception):
    """The document broke the format's rules; nothing was written."""

    def __init__(self, problems: list[DatasetProblem]) -> None:
        super().__init__(f"数据文件有 {len(problems)} 处问题，未导入任何数据")
        self.problems = problems


class OutsideLoadFailed(Exception):
    """A simulator or govsso loader failed; the hall was left untouched."""


@dataclass
class OutsideLoad:
    name: str
    output: str


@dataclass
class ImportResult:
    hall: LoadSummary
    outside: list[OutsideLoad] = field(default_factory=list)


def dataset_import(*, path: str | Path, hall_only: bool = False) -> ImportResult:
    """Validate ``path`` and load it everywhere (or only into the hall with ``hall_only``).

    Raises DatasetFileError (unreadable file), DatasetRefused (rule violations),
    HallLoadConflict (contradicts the hall's data) or OutsideLoadFailed; then nothing changed in
    the hall."""
    document = dataset_read(path)
    problems = validate_dataset(document)
    if problems:
        raise DatasetRefused(problems)
    assert isinstance(document, dict)  # validate_dataset refuses anything else
    with transaction.atomic():
        summary = dataset_load_into_hall(document=document)
        outside = []
        if not hall_only:
            outside = [_outside_load(settings, name, Path(path)) for settings, name in OUTSIDE_LOADERS]
    return ImportResult(hall=summary, outside=outside)


def _outside_load(settings_module: str, name: str, path: Path) -> OutsideLoad:
    file = str(path.resolve())
    command = [sys.executable, "-m", "django", "load_dataset", file, f"--settings={settings_module}"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # DJANGO_SETTINGS_MODULE of this process must not leak into the other project.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        finished = subprocess.run(  # noqa: S603 - fixed command, no shell
            command,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=SUBPROCESS_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        timeout = SUBPROCESS_TIMEOUT_SECONDS
        raise OutsideLoadFailed(f"{name}导入超时（{timeout} 秒），大厅数据未改动") from exc
    if finished.returncode != 0:
        details = (finished.stderr or finished.stdout).strip()
        raise OutsideLoadFailed(
            f"{name}导入失败（退出码 {finished.returncode}），大厅数据未改动：\n{details}"
        )
    return OutsideLoad(name=name, output=finished.stdout.strip())
