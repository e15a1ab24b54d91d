"""The ``gjj`` command: the hall's management commands, with hyphenated names.

``gjj import-dataset FILE`` runs the ``import_dataset`` command on the embedded default (or on
whatever DJANGO_SETTINGS_MODULE and the GJJ_* variables configure).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gjj.settings.embedded")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    from gjj.core.env import EmbeddedSecretInProduction

    try:
        execute_from_command_line(["gjj", *args[1:]])
    except EmbeddedSecretInProduction as refused:
        # A configuration mistake, not a bug: the operator needs the variable's name, not a traceback.
        sys.stderr.write(f"未启动：{refused}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
