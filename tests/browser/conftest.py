"""Helpers for the browser tests of the member's pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.support.accessibility import assert_accessible
from tests.support.browser import screenshot

DEMO_PASSWORD = "Demo@2026"


def log_in(page, stack, id_number: str, *, password: str = DEMO_PASSWORD, audit: bool = False) -> None:
    """From the portal: 个人网厅 → 提示信息 → 立即登录 → the government-service login → the hall.
    With ``audit``, axe-core checks the portal and the notice page and they are photographed."""
    page.goto(f"{stack.hall}/")
    if audit:
        assert_accessible(page)
        screenshot(page, "desk-0-portal")
    page.get_by_role("link", name="个人网厅").first.click()
    if audit:
        assert_accessible(page)
        screenshot(page, "desk-0-notice")
    page.get_by_role("link", name="立即登录").click()
    page.get_by_label("身份证号/手机号").fill(id_number)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/hall/"))


@pytest.fixture(scope="session")
def photo_files(tmp_path_factory) -> dict[str, Path]:
    """A photo (JPEG, with EXIF as a phone would write it) and a scanned PDF."""
    folder = tmp_path_factory.mktemp("photos")
    image = Image.new("RGB", (1200, 900), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 1100, 800), outline=(40, 40, 40), width=8)
    draw.ellipse((200, 250, 450, 550), fill=(120, 160, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneCamera"
    image.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    photo = folder / "photo.jpg"
    photo.write_bytes(out.getvalue())
    return {"photo": photo}
