"""Checking an uploaded material by its content, not its name, and storing only what was rebuilt:
an image is decoded and re-encoded with no metadata at all (no EXIF, GPS, XMP, comments, text
chunks; only a colour profile stays), a PDF is opened and rewritten by a real PDF library (qpdf,
through pikepdf) without JavaScript, actions, embedded files, forms or annotations. Whatever was
hidden in the upload — a script, a second file format, a 身份证号 in a comment — is not in what
staff open.

Before anything is decoded, the cheap limits: the size in bytes, the type from the first bytes,
the pixel count from the image header (a 13 KB PNG can claim 110 M pixels), the page count and
page size of a PDF.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from gjj.policy.schema import Policy

# The policy's pixel limit is checked from the header first; this is Pillow's own backstop, which
# refuses even earlier (when the file is opened) anything over it.
Image.MAX_IMAGE_PIXELS = 60_000_000

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

# Keys of a PDF dictionary that run something, carry a file, or make a form: removed everywhere.
_ACTIVE_PDF_KEYS = (
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/EF",
    "/AF",
    "/RichMedia",
    "/XFA",
    "/AcroForm",
    "/Annots",
    "/URI",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
)
# What an action dictionary's /S names (ISO 32000-1, 12.6.4).
_ACTION_TYPES = frozenset(
    pikepdf.Name(f"/{kind}")
    for kind in (
        "GoTo", "GoToR", "GoToE", "Launch", "Thread", "URI", "Sound", "Movie", "Hide", "Named", "SubmitForm",
        "ResetForm", "ImportData", "JavaScript", "SetOCGState", "Rendition", "Trans", "GoTo3DView",
        "RichMediaExecute",
    )
)  # fmt: skip
# Whole parts of the document catalog that are only navigation or scripting.
_CATALOG_KEYS = ("/Names", "/Outlines", "/Threads", "/Collection", "/Dests")


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
    """Accept a JPEG, PNG or PDF within the policy's limits, rebuilt; else MaterialRejected with
    the reason in the member's words."""
    if len(data) == 0:
        raise MaterialRejected(f"文件“{name}”是空文件，请重新选择")
    too_big = size_problem(policy=policy, name=name, size=len(data))
    if too_big:
        raise MaterialRejected(too_big)
    content_type = _sniff(data[:16])
    if content_type is None or content_type not in policy.material_content_types:
        raise MaterialRejected(f"文件“{name}”不是 JPG、PNG 或 PDF 格式，请上传照片、扫描件或 PDF 文件")
    if content_type == "application/pdf":
        content = _pdf_rewritten(policy=policy, name=name, data=data)
    else:
        content = _image_reencoded(policy=policy, name=name, data=data, content_type=content_type)
    return CleanMaterial(
        content=content, content_type=content_type, sha256=hashlib.sha256(content).hexdigest()
    )


# --- images ----------------------------------------------------------------------------------------


def _damaged(name: str) -> MaterialRejected:
    return MaterialRejected(f"文件“{name}”已损坏或无法识别，请重新拍照或选择其他文件")


def _too_many_pixels(name: str, *, policy: Policy, size: str = "") -> MaterialRejected:
    return MaterialRejected(
        f"图片“{name}”{size}超过 {policy.material_max_pixels // 10_000} 万像素的上限，请缩小后重新上传"
    )


def _image_reencoded(*, policy: Policy, name: str, data: bytes, content_type: str) -> bytes:
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its limit: here that is a refusal, never a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != _PILLOW_FORMATS[content_type]:
                    raise _damaged(name)
                width, height = image.size  # from the header: nothing is decoded yet
                if width * height > policy.material_max_pixels:
                    raise _too_many_pixels(name, policy=policy, size=f"为 {width}×{height} 像素，")
                if getattr(image, "n_frames", 1) > 1:
                    raise MaterialRejected(f"图片“{name}”是动图，请上传一张静止的照片或扫描件")
                image.load()
                colour_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)  # the right way up, before the tags go
                return _encoded(upright, content_type=content_type, colour_profile=colour_profile)
    except MaterialRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(name, policy=policy) from exc
    except (UnidentifiedImageError, OSError, EOFError, ValueError, SyntaxError) as exc:
        raise _damaged(name) from exc


def _encoded(image: Image.Image, *, content_type: str, colour_profile: bytes | None) -> bytes:
    if content_type == "image/jpeg":
        clean = image.convert("RGB")
    else:
        clean = image.convert(image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA")
    # Only pixels leave: Pillow would otherwise write back a comment, XMP or text chunks it read.
    clean.info = {}
    options: dict[str, object] = {"icc_profile": colour_profile} if colour_profile else {}
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.save(out, format="JPEG", quality=90, **options)
    else:
        clean.save(out, format="PNG", **options)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------


def _pdf_rewritten(*, policy: Policy, name: str, data: bytes) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _pdf_check_pages(pdf, policy=policy, name=name)
            _pdf_strip_active_content(pdf)
            out = io.BytesIO()
            # Only objects reachable from the cleaned catalog are written: whatever was appended
            # to the file (HTML, a ZIP, a second PDF revision) is left behind.
            pdf.save(out, deterministic_id=True)
            return out.getvalue()
    except MaterialRejected:
        raise
    except pikepdf.PasswordError as exc:
        raise MaterialRejected(f"PDF 文件“{name}”设有密码，请去除密码后重新上传") from exc
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise MaterialRejected(f"文件“{name}”不是完整有效的 PDF 文件，请重新导出后上传") from exc


def _pdf_check_pages(pdf: pikepdf.Pdf, *, policy: Policy, name: str) -> None:
    pages = len(pdf.pages)
    if pages == 0:
        raise MaterialRejected(f"文件“{name}”不是完整有效的 PDF 文件（没有页面），请重新导出后上传")
    if pages > policy.material_max_pdf_pages:
        raise MaterialRejected(
            f"PDF 文件“{name}”有 {pages} 页，超过 {policy.material_max_pdf_pages} 页的上限，请只上传所需的页面"
        )
    for page in pdf.pages:
        box = page.mediabox
        width, height = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
        if max(width, height) > policy.material_max_pdf_page_points:
            raise MaterialRejected(f"PDF 文件“{name}”的页面尺寸过大，请按 A4 等常用纸张尺寸重新导出")


def _pdf_strip_active_content(pdf: pikepdf.Pdf) -> None:
    for key in _CATALOG_KEYS:
        if key in pdf.Root:
            del pdf.Root[key]
    for obj in pdf.objects:
        dictionary = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        if not isinstance(dictionary, pikepdf.Dictionary):
            continue
        for key in _ACTIVE_PDF_KEYS:
            if key in dictionary:
                del dictionary[key]
        if dictionary.get("/Type") == pikepdf.Name.Action or dictionary.get("/S") in _ACTION_TYPES:
            # An action still referenced from somewhere kept: left without anything to do.
            for key in ("/S", "/F", "/D", "/Next"):
                if key in dictionary:
                    del dictionary[key]
