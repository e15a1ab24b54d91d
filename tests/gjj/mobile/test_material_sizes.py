"""The H5 tells the member the size of an uploaded photo as it is shown: a photo stored turned (it
keeps its EXIF orientation) is shown upright, its width and height swapped."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image

from gjj.mobile.views_withdrawal import _image_size


def _material(*, orientation: int | None) -> SimpleNamespace:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", (64, 48)).save(out, format="JPEG", exif=exif.tobytes())
    return SimpleNamespace(
        content_type="image/jpeg", file=SimpleNamespace(open=lambda mode: io.BytesIO(out.getvalue()))
    )


@pytest.mark.parametrize(
    "orientation, shown", [(None, (64, 48)), (1, (64, 48)), (3, (64, 48)), (6, (48, 64)), (8, (48, 64))]
)
def test_the_size_of_a_photo_is_the_size_it_is_shown_at(orientation, shown):
    assert _image_size(_material(orientation=orientation)) == shown


def test_a_pdf_has_no_size():
    assert _image_size(SimpleNamespace(content_type="application/pdf")) == (None, None)
