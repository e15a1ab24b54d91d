"""One JSON object per log line (``GJJ_LOG_FORMAT=json``), for a log collector to parse without
guessing where a Chinese message or a traceback ends.

The handlers' filters run first: ``request_id`` comes from gjj.core.request_id, and personal data
is already masked by gjj.core.masking — in the message and in ``exc_text``, which is why the
traceback is taken from there and not formatted again from ``exc_info``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from gjj.core.request_id import NO_REQUEST_ID


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            # The process's local time with its offset (Django sets TZ to TIME_ZONE).
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST_ID),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)
