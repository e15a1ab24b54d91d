"""Reading a ``gjj-dataset/1`` document from disk, with errors a person can act on.

Pure Python (no Django models): the hall, govsso and the simulators all read documents this way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATASET_FORMAT = "gjj-dataset/1"

# The sections of a document in the order they are checked and loaded (DATASET.md).
DATASET_SECTIONS = (
    "employers",
    "people",
    "accounts",
    "loans",
    "houses",
    "prior_withdrawals",
    "bank_accounts",
    "gov_users",
)


# Sections whose entries several documents may share: the same employer (code and name alike)
# in two documents is one employer, kept once. Anything else given twice stays twice, for
# ``validate_dataset`` to report.
SHARED_SECTIONS = frozenset({"employers"})


def dataset_merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One document holding every section's entries of ``documents`` in their order, dated as the
    first. An employer equal to one already merged is kept once (sample-reasons.json names the
    sample's employers again); whether the result is valid otherwise (no key twice, say) is for
    ``validate_dataset`` to say."""
    first = documents[0]
    merged: dict[str, Any] = {"format": first["format"], "as_of": first["as_of"]}
    for name in DATASET_SECTIONS:
        items = [item for document in documents for item in document.get(name, [])]
        if name in SHARED_SECTIONS:
            seen: set[str] = set()
            distinct = []
            for item in items:
                key = json.dumps(item, sort_keys=True, ensure_ascii=False)
                if key not in seen:
                    seen.add(key)
                    distinct.append(item)
            items = distinct
        merged[name] = items
    return merged


class DatasetFileError(Exception):
    """The file cannot be read as a JSON document; the message says why, in Chinese."""


def dataset_read(path: str | Path) -> object:
    """The parsed JSON of ``path``. Raises DatasetFileError for a missing file or invalid JSON."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DatasetFileError(f"找不到数据文件：{file}") from exc
    except IsADirectoryError as exc:
        raise DatasetFileError(f"{file} 是目录，不是数据文件") from exc
    except PermissionError as exc:
        raise DatasetFileError(f"没有权限读取数据文件：{file}") from exc
    except UnicodeDecodeError as exc:
        raise DatasetFileError(f"数据文件 {file} 不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节）") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetFileError(
            f"数据文件 {file} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{_json_reason(exc.msg)}"
        ) from exc


_JSON_REASONS = {
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "此处应为双引号括起的字段名",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Extra data": "文档结束后还有多余内容",
    "Unterminated string starting at": "字符串没有结束引号",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义序列",
}


def _json_reason(message: str) -> str:
    return _JSON_REASONS.get(message, message)
