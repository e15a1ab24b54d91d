"""Checking an uploaded material by its content, not its name, and re-encoding images so that no
EXIF metadata (location, device) is kept."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from gjj.policy.schema import Policy

# Pillow refuses decompression bombs above this many pixels.
Image.MAX_IMAGE_PIXELS = 60_000_000

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class MaterialRejected(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CleanMaterial:
    content: bytes
    content_type: str
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def size_problem(*, policy: Policy, name: str, size: int) -> str | None:
    """The policy's size limit in the member's words, or None when the file is within it."""
    if size <= policy.material_max_bytes:
        return None
    return (
        f"文件“{name}”大小为 {size / (1024 * 1024):.1f} MB，"
        f"超过 {policy.material_max_bytes / (1024 * 1024):.0f} MB 的上限，请压缩后重新上传"
    )


def material_clean(*, policy: Policy, name: str, data: bytes) -> CleanMaterial:
    """Accept a JPEG, PNG or PDF of at most the policy's size; images come back re-encoded."""
    if len(data) == 0:
        raise MaterialRejected(f"文件“{name}”是空文件，请重新选择")
    too_big = size_problem(policy=policy, name=name, size=len(data))
    if too_big:
        raise MaterialRejected(too_big)
    content_type = _sniff(data[:16])
    if content_type is None or content_type not in policy.material_content_types:
        raise MaterialRejected(f"文件“{name}”不是 JPG、PNG 或 PDF 格式，请上传照片、扫描件或 PDF 文件")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise MaterialRejected(f"文件“{name}”不是完整的 PDF 文件，请重新导出后上传")
        content = data
    else:
        content = _reencode(name=name, data=data, content_type=content_type)
    return CleanMaterial(
        content=content, content_type=content_type, sha256=hashlib.sha256(content).hexdigest()
    )


def _reencode(*, name: str, data: bytes, content_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            # Keep the picture the right way up, then drop every tag (EXIF, GPS, comments).
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if content_type == "image/jpeg":
                upright.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
            else:
                mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA"
                upright.convert(mode).save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        raise MaterialRejected(f"文件“{name}”已损坏或无法识别，请重新拍照或选择其他文件") from exc
