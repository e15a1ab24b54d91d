"""A reply of the official account as WeChat shows it: plain text, line breaks, and the one piece
of markup the platform honours in a text message, ``<a href="…">…</a>``, as a link. Anything else
is shown as the text it is."""

from __future__ import annotations

import html
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

_LINK = re.compile(r"""<a\s+href=(?:"([^"]*)"|'([^']*)')\s*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)


def _text(fragment: str) -> str:
    return str(escape(fragment)).replace("\n", "<br>")


def chat_html(content: str) -> SafeString:
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(content):
        href = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        label = html.unescape(match.group(3))
        parts.append(_text(content[position : match.start()]))
        if href.startswith(("http://", "https://")):
            parts.append(str(format_html('<a href="{}">{}</a>', href, label)))
        else:  # javascript: and friends stay text
            parts.append(_text(match.group(0)))
        position = match.end()
    parts.append(_text(content[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above
