"""``python -m sims load_dataset FILE``: load a gjj-dataset/1 document's houses into the housing
registry and its bank accounts into the bank, in one transaction; loading it again changes nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sims.control.services import DatasetRejected, dataset_load


class Command(BaseCommand):
    help = "把 gjj-dataset/1 数据集中的房屋和银行账户装入模拟器（可重复执行，结果不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="数据集 JSON 文件路径；“-”表示从标准输入读取")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        document = self._read(file)
        try:
            loaded = dataset_load(document=document)
        except DatasetRejected as exc:
            raise CommandError(str(exc)) from exc
        houses, accounts = loaded["houses"], loaded["bank_accounts"]
        self.stdout.write(self.style.SUCCESS(f"房屋：{_summary(houses)}；银行账户：{_summary(accounts)}"))

    def _read(self, file: str) -> Any:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"找不到数据集文件：{file}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取数据集文件 {file}：{exc}") from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"数据集文件 {file} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}"
            ) from exc


def _summary(counts: dict[str, int]) -> str:
    return f"新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}"
