"""``gjj import-dataset FILE``: load a gjj-dataset/1 document into the hall, the simulators and
govsso; a document with problems is refused as a whole (exit code 1, every problem listed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.datasets.documents import DatasetFileError
from gjj.datasets.hall_loader import HallLoadConflict
from gjj.datasets.importer import DatasetRefused, OutsideLoadFailed, dataset_import


class Command(BaseCommand):
    help = (
        "导入 gjj-dataset/1 数据文件：职工、账户、贷款、历史提取进大厅，"
        "房屋和银行账户进模拟器，政务服务网账户进 govsso"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="数据文件路径（JSON）")
        parser.add_argument(
            "--hall-only",
            action="store_true",
            help="只导入大厅，不导入模拟器和 govsso（真实的登记、银行、政务系统自有数据时使用）",
        )

    def handle(self, *args: Any, file: str, hall_only: bool, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = dataset_import(path=file, hall_only=hall_only)
        except DatasetRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc), returncode=1) from exc
        except (DatasetFileError, HallLoadConflict, OutsideLoadFailed) as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write("大厅：")
        for line in result.hall.lines():
            self.stdout.write(f"  {line}")
        for outside in result.outside:
            self.stdout.write(f"{outside.name}：")
            for line in outside.output.splitlines():
                self.stdout.write(f"  {line}")
        if hall_only:
            self.stdout.write("已跳过模拟器和 govsso（--hall-only）")
        self.stdout.write(self.style.SUCCESS(f"导入完成，用时 {time.monotonic() - started:.1f} 秒"))
