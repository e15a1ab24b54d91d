"""Materials are checked by content, images are rebuilt without EXIF, limits come from the policy."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from gjj.policy.active import active_policy
from gjj.withdrawals.materials import MaterialRejected, material_clean
from tests.gjj.withdrawals.conftest import jpeg_bytes, pdf_bytes


@pytest.fixture
def policy():
    return active_policy()


def test_a_jpeg_comes_back_rebuilt_without_exif(policy):
    original = jpeg_bytes(with_exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the camera's tags are there before
    clean = material_clean(policy=policy, name="card.jpg", data=original)
    assert clean.content_type == "image/jpeg"
    assert not Image.open(io.BytesIO(clean.content)).getexif()
    assert len(clean.sha256) == 64


def test_a_png_stays_a_png(policy):
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")
    clean = material_clean(policy=policy, name="a.png", data=out.getvalue())
    assert clean.content_type == "image/png" and clean.extension == "png"


def test_a_pdf_is_rewritten_with_its_pages(policy):
    clean = material_clean(policy=policy, name="合同.pdf", data=pdf_bytes(pages=3))
    assert clean.content_type == "application/pdf" and clean.content.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(clean.content)) as pdf:
        assert len(pdf.pages) == 3


def test_the_name_does_not_decide_the_type(policy):
    with pytest.raises(MaterialRejected, match="不是 JPG、PNG 或 PDF"):
        material_clean(policy=policy, name="photo.jpg", data=b"GIF89a" + b"\x00" * 100)


def test_a_truncated_image_is_refused(policy):
    with pytest.raises(MaterialRejected, match="已损坏"):
        material_clean(policy=policy, name="photo.jpg", data=jpeg_bytes()[:40])


def test_a_truncated_pdf_is_refused(policy):
    with pytest.raises(MaterialRejected, match="不是完整有效的 PDF"):
        material_clean(policy=policy, name="a.pdf", data=pdf_bytes()[:200])


def test_empty_and_oversized_files_are_refused_with_the_size(policy):
    with pytest.raises(MaterialRejected, match="空文件"):
        material_clean(policy=policy, name="a.jpg", data=b"")
    too_big = b"\xff\xd8\xff" + b"\x00" * policy.material_max_bytes
    with pytest.raises(MaterialRejected, match="超过 10 MB"):
        material_clean(policy=policy, name="big.jpg", data=too_big)
