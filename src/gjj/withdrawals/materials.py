"""Checking an uploaded material by its content, not its name, and storing only what was rebuilt:
a JPEG is rebuilt losslessly from its own segments with every metadata segment left out (no EXIF,
GPS, XMP, comments, thumbnails, IPTC, nothing after its end; only a colour profile stays, and the
EXIF orientation alone when the photo needs it to stand upright), its compressed picture data
copied byte for byte; a PNG is decoded and re-encoded with no metadata at all; a PDF is opened and
rewritten by a real PDF library (qpdf, through pikepdf) without JavaScript, actions, embedded
files, forms or annotations. Whatever was hidden in the upload — a script, a second file format,
a 身份证号 in a comment — is not in what staff open.

Before anything is decoded, the cheap limits: the size in bytes, the type from the first bytes,
the pixel count from the image header (a 13 KB PNG can claim 110 M pixels), the page count and
page size of a PDF.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from gjj.policy.schema import Policy

# The policy's pixel limit is checked from the header first; this is Pillow's own backstop, which
# refuses even earlier (when the file is opened) anything over it.
Image.MAX_IMAGE_PIXELS = 60_000_000

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

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
    elif content_type == "image/jpeg":
        content = _jpeg_rebuilt(policy=policy, name=name, data=data)
    else:
        content = _png_reencoded(policy=policy, name=name, data=data)
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


@contextmanager
def _pillow_opened(*, policy: Policy, name: str, data: bytes, expected_format: str) -> Iterator[Image.Image]:
    """The image opened by Pillow with what its header tells checked (format, pixel count, frames),
    nothing decoded yet; any failure while it is used, decoding included, becomes the member's
    reason."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its limit: here that is a refusal, never a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected_format:
                    raise _damaged(name)
                width, height = image.size  # from the header: nothing is decoded yet
                if width * height > policy.material_max_pixels:
                    raise _too_many_pixels(name, policy=policy, size=f"为 {width}×{height} 像素，")
                if getattr(image, "n_frames", 1) > 1:
                    raise MaterialRejected(f"图片“{name}”是动图，请上传一张静止的照片或扫描件")
                yield image
    except MaterialRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(name, policy=policy) from exc
    except (UnidentifiedImageError, OSError, EOFError, ValueError, SyntaxError) as exc:
        raise _damaged(name) from exc


# --- PNG: decoded and re-encoded --------------------------------------------------------------------


def _png_reencoded(*, policy: Policy, name: str, data: bytes) -> bytes:
    with _pillow_opened(policy=policy, name=name, data=data, expected_format="PNG") as image:
        image.load()
        colour_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)  # the right way up, before the tags go
        return _png_encoded(upright, colour_profile=colour_profile)


def _png_encoded(image: Image.Image, *, colour_profile: bytes | None) -> bytes:
    clean = image.convert(image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA")
    # Only pixels leave: Pillow would otherwise write back text chunks or XMP it read.
    clean.info = {}
    options: dict[str, object] = {"icc_profile": colour_profile} if colour_profile else {}
    out = io.BytesIO()
    clean.save(out, format="PNG", **options)
    return out.getvalue()


# --- JPEG: rebuilt from its own segments, without the metadata ---------------------------------------
#
# Decoding a 12-MP phone photo in full and encoding it again costs a few hundred milliseconds of CPU
# and well over 100 MB, and loses quality (often growing the file). Its metadata, though, sits in
# segments of their own (ITU T.81, annex B): the file is rebuilt from the segments decoding needs,
# the compressed picture data copied byte for byte, so the pixels are exactly the member's. That
# the picture data is whole is then checked by a reduced decode (1/8 scale): libjpeg still reads
# every scan to its end, only the inverse DCT and colour conversion are (almost all) skipped.

_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE
_APP0, _APP1, _APP2, _APP14 = 0xE0, 0xE1, 0xE2, 0xEE
# The frame headers libjpeg decodes: baseline, extended and progressive, Huffman or arithmetic
# coded. Lossless, hierarchical and JPEG-LS files are no phone's or scanner's and are refused.
_FRAME_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC9, 0xCA})
# Quantisation and Huffman tables, arithmetic conditioning, restart interval: decoding needs them.
_TABLE_MARKERS = frozenset({0xDB, 0xC4, 0xCC, 0xDD})
# Markers without a length: TEM, the restarts (only valid inside a scan's data), SOI.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8), 0xD8})
# In a scan's compressed data an FF byte is followed by 00 (a stuffed FF) or D0–D7 (a restart):
# anything else after it is the marker that ends the scan.
_END_OF_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7]")

_JFIF_START = b"\xff\xe0\x00\x10JFIF\x00"  # the marker, length and signature of a JFIF header
_EXIF_SIGNATURE = b"Exif\x00\x00"
_XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
_ORIENTATION_TAG = 0x0112
_TIFF_BYTE_ORDERS = {b"II": "<", b"MM": ">"}  # as struct writes them
_XMP_ORIENTATION = re.compile(rb'tiff:Orientation(="|>)([0-9])')  # as Pillow reads it


class _BrokenJpeg(Exception):
    """The file's structure is not a JPEG's (truncated, a length past the end, a marker out of place)."""


@dataclass(frozen=True)
class _Segment:
    marker: int
    start: int  # the offset of its FF
    payload_start: int
    payload_end: int
    end: int  # for a scan (SOS): after its compressed data


def _jpeg_rebuilt(*, policy: Policy, name: str, data: bytes) -> bytes:
    try:
        segments = _jpeg_segments(data)
        width, height = _jpeg_frame_size(data, segments)
        if width * height > policy.material_max_pixels:  # from the header, before any decoding
            raise _too_many_pixels(name, policy=policy, size=f"为 {width}×{height} 像素，")
        rebuilt = _jpeg_without_metadata(data, segments, orientation=_jpeg_orientation(data, segments))
    except _BrokenJpeg as exc:
        raise _damaged(name) from exc
    # What is checked is what is stored: the rebuilt file, not the upload.
    with _pillow_opened(policy=policy, name=name, data=rebuilt, expected_format="JPEG") as image:
        image.draft(None, (1, 1))  # the smallest scale libjpeg offers: 1/8
        image.load()
    return rebuilt


def _jpeg_segments(data: bytes) -> list[_Segment]:
    """The segments from SOI to EOI (neither included); whatever follows EOI is not read. Raises
    _BrokenJpeg for a file that ends before its EOI or whose structure is broken."""
    if not data.startswith(b"\xff\xd8"):
        raise _BrokenJpeg("no SOI")
    segments: list[_Segment] = []
    position = 2
    while True:
        if position + 1 >= len(data) or data[position] != 0xFF:
            raise _BrokenJpeg(f"no marker at {position}")
        while position + 2 < len(data) and data[position + 1] == 0xFF:  # fill bytes before a marker
            position += 1
        marker = data[position + 1]
        if marker == _EOI:
            return segments
        if marker in _STANDALONE_MARKERS or marker == 0x00:
            raise _BrokenJpeg(f"marker {marker:#04x} out of place at {position}")
        payload_start = position + 4
        payload_end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if payload_end < payload_start or payload_end > len(data):
            raise _BrokenJpeg(f"segment {marker:#04x} at {position} has a wrong length")
        end = payload_end
        if marker == _SOS:
            end_of_scan = _END_OF_SCAN.search(data, payload_end)
            if end_of_scan is None:
                raise _BrokenJpeg("a scan runs to the end of the file: truncated")
            end = end_of_scan.start()
        segments.append(_Segment(marker, position, payload_start, payload_end, end))
        position = end


def _jpeg_frame_size(data: bytes, segments: list[_Segment]) -> tuple[int, int]:
    """Width and height from the one frame header, which must come before the first scan."""
    frames = [index for index, segment in enumerate(segments) if segment.marker in _FRAME_MARKERS]
    scans = [index for index, segment in enumerate(segments) if segment.marker == _SOS]
    if len(frames) != 1 or not scans or scans[0] < frames[0]:
        raise _BrokenJpeg(f"frame headers at {frames}, scans at {scans}")
    frame = data[segments[frames[0]].payload_start : segments[frames[0]].payload_end]
    if len(frame) < 6:
        raise _BrokenJpeg("frame header too short")
    height, width = int.from_bytes(frame[1:3], "big"), int.from_bytes(frame[3:5], "big")
    if width == 0 or height == 0:  # a height given later (DNL): libjpeg does not decode it
        raise _BrokenJpeg(f"frame of {width}×{height}")
    return width, height


def _jpeg_orientation(data: bytes, segments: list[_Segment]) -> int:
    """How the photo is turned (EXIF Orientation, 1–8), read as Pillow reads it: from the first EXIF
    segment's main directory, else from the XMP. Unreadable tags count as upright: they are
    dropped either way, and a camera's broken tags are no reason to refuse the photo."""
    payloads = [data[s.payload_start : s.payload_end] for s in segments if s.marker == _APP1]
    exif = next((p for p in payloads if p.startswith(_EXIF_SIGNATURE)), None)
    orientation = _tiff_orientation(exif[len(_EXIF_SIGNATURE) :]) if exif is not None else None
    if orientation is None:
        xmp = [p for p in payloads if p.startswith(_XMP_SIGNATURE)]
        found = _XMP_ORIENTATION.search(xmp[-1]) if xmp else None
        orientation = int(found[2]) if found else None
    return orientation if orientation is not None and 1 <= orientation <= 8 else 1


def _tiff_orientation(tiff: bytes) -> int | None:
    """The Orientation tag of a TIFF header's first directory (EXIF is one), or None."""
    order = _TIFF_BYTE_ORDERS.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    (directory,) = struct.unpack_from(order + "I", tiff, 4)
    if directory + 2 > len(tiff):
        return None
    (entries,) = struct.unpack_from(order + "H", tiff, directory)
    for entry in range(directory + 2, directory + 2 + 12 * entries, 12):
        if entry + 12 > len(tiff):
            return None
        tag, kind, count, value = struct.unpack_from(order + "HHIH", tiff, entry)
        if tag == _ORIENTATION_TAG and kind == 3 and count == 1:  # one SHORT, held in the entry itself
            return int(value)
    return None


def _jpeg_without_metadata(data: bytes, segments: list[_Segment], *, orientation: int) -> bytes:
    kept = [piece for segment in segments if (piece := _jpeg_kept(data, segment)) is not None]
    if orientation != 1:
        # JFIF asks to be right after SOI (the EXIF segment comes after it, as cameras write both).
        after = 1 if kept and bytes(kept[0][: len(_JFIF_START)]) == _JFIF_START else 0
        kept.insert(after, _orientation_segment(orientation))
    return b"".join([b"\xff\xd8", *kept, b"\xff\xd9"])


def _jpeg_kept(data: bytes, segment: _Segment) -> bytes | memoryview | None:
    """What of a segment goes into the rebuilt file: decoding's segments as they are, the JFIF and
    Adobe headers without anything but their fields, the colour profile; None for metadata."""
    marker = segment.marker
    if marker in _FRAME_MARKERS or marker in _TABLE_MARKERS or marker == _SOS:
        return memoryview(data)[segment.start : segment.end]  # a scan with its data, not copied yet
    payload = data[segment.payload_start : segment.payload_end]
    if marker == _APP0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        # Version, density unit and density; the thumbnail (a second picture) is set to 0×0.
        return _segment(_APP0, payload[:12] + b"\x00\x00")
    if marker == _APP14 and payload.startswith(b"Adobe") and len(payload) >= 12:
        # Its transform flag tells libjpeg whether a 3- or 4-channel picture is YCbCr/YCCK or
        # RGB/CMYK: without it the colours change. Only its 12 bytes of fields are kept.
        return _segment(_APP14, payload[:12])
    if marker == _APP2 and payload.startswith(b"ICC_PROFILE\x00"):
        return memoryview(data)[segment.start : segment.end]  # the colour profile, as before
    if 0xE0 <= marker <= 0xEF or marker == _COM:
        return None  # EXIF and GPS, XMP, IPTC, MPF (a phone's second picture), thumbnails, comments
    raise _BrokenJpeg(f"unsupported marker {marker:#04x}")


def _orientation_segment(orientation: int) -> bytes:
    """An EXIF segment with one tag, the Orientation: nothing about the member or the camera.

    Why not turn the pixels instead: that is the full decode and re-encode this rebuild exists to
    avoid (and a lossy one), for most phone photos, which cameras store turned. Stored images
    are only ever shown by browsers — the hall's thumbnail, the H5 preview, the back office's
    materials viewer, all an <img> of the file as stored — and every current browser turns an
    image by its EXIF orientation (CSS image-orientation: from-image, the default since 2020);
    the PDF receipt embeds no material. So the photo stands upright wherever it is seen.
    """
    directory = (1).to_bytes(2, "big") + struct.pack(">HHIHH", _ORIENTATION_TAG, 3, 1, orientation, 0)
    tiff = b"MM\x00\x2a" + (8).to_bytes(4, "big") + directory + (0).to_bytes(4, "big")
    return _segment(_APP1, _EXIF_SIGNATURE + tiff)


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


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
