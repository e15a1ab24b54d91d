"""``python -m sims <command>``: Django's management commands on the simulator's settings,
e.g. ``python -m sims migrate`` or ``python -m sims load_dataset data.json``."""

from __future__ import annotations

import os
import sys

from sims import SETTINGS_MODULE


def main(argv: list[str] | None = None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("SIMS_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    execute_from_command_line(["python -m sims", *args[1:]])


if __name__ == "__main__":
    main()
