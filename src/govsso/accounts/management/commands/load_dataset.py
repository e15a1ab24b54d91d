"""``python -m django load_dataset FILE --settings=govsso.settings``: load a gjj-dataset/1
document's ``gov_users`` into govsso in one transaction; loading it again changes nothing.

The whole document is validated with the hall's rules first (``gjj import-dataset`` already did,
but the command may also be run on its own), so a bad document is refused before any write."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.datasets.documents import DatasetFileError, dataset_read
from gjj.datasets.validation import validate_dataset
from govsso.accounts.services import GovUserRow, GovUsersConflict, natural_persons_load


class Command(BaseCommand):
    help = "把 gjj-dataset/1 数据文件中的政务服务网账户（gov_users）导入 govsso（可重复执行，结果不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="数据文件路径（JSON）")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            document = dataset_read(file)
        except DatasetFileError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        problems = validate_dataset(document)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"数据文件有 {len(problems)} 处问题，未导入任何数据", returncode=1)
        assert isinstance(document, dict)
        rows = [
            GovUserRow(
                id_number=item["id_number"], name=item["name"], phone=item["phone"], password=item["password"]
            )
            for item in document.get("gov_users", [])
        ]
        try:
            counts = natural_persons_load(rows=rows)
        except GovUsersConflict as exc:
            raise CommandError(str(exc), returncode=1) from exc
        summary = f"政务服务网账户：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}"
        if not counts.created and not counts.updated:
            summary += "（没有变化）"
        self.stdout.write(summary)
