"""A corpus of hostile uploads: each is refused with a Chinese reason, or stored only as the hall
rebuilt it with the hostile part gone; a refused one leaves nothing behind.

The kinds (37): decompression bombs (a 1-bit PNG of 110 M pixels, a JPEG and a truncated PNG whose
headers claim more than the limit), metadata (a JPEG comment with a script and a 身份证号, EXIF with
GPS, XMP, Photoshop IPTC, a PNG's tEXt, zTXt, iTXt and eXIf chunks), animation (APNG), polyglots
(a ZIP after a JPEG, HTML after a PNG, HTML after a PDF, a PDF inside HTML), wrong types under
trusted names (GIF, SVG with script, HTML, a Windows executable, a ZIP), broken files (a truncated
JPEG and PDF, a JPEG header on garbage, an empty file, one over the size limit), and PDFs that act
(OpenAction JavaScript, a document-level script in the name tree, Launch with an embedded
executable, page additional-actions, a link annotation, an AcroForm with XFA, an outline item that
runs a script), a PDF that is no PDF (20 bytes), a password-protected PDF, too many pages, a page
too large.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pikepdf
import pytest
from PIL import Image, PngImagePlugin

from gjj.policy.active import active_policy
from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.materials import MaterialRejected, material_clean
from gjj.withdrawals.models import Material
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, jpeg_bytes, member, pdf_bytes

ID_NUMBER = "210102196204180133"
SCRIPT = b"<script>alert(document.cookie)</script>"


# --- building the corpus ----------------------------------------------------------------------------


def _jpeg(**save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG", **save_options)
    return out.getvalue()


def _jpeg_with_segment(marker: int, payload: bytes) -> bytes:
    """A JPEG with one more segment right after SOI."""
    data = _jpeg()
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _png(**save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 90)).save(out, format="PNG", **save_options)
    return out.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    data = _png()
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + _png_chunk(kind, payload) + data[iend:]


def _png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (11_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


def _png_header_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    )


def _apng() -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _text_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"身份证号 {ID_NUMBER}")
    info.add_text("Script", SCRIPT.decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{ID_NUMBER}</x:xmpmeta>")
    return _png(pnginfo=info)


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneCamera"
    exif[0x8825] = {1: "N", 2: (41.0, 48.0, 0.0), 3: "E", 4: (123.0, 25.0, 0.0)}
    return _jpeg(exif=exif.tobytes())


def _pdf(change: Callable[[pikepdf.Pdf], None], **save_options) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, **save_options)
        return out.getvalue()


def _js(code: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def _open_action_js(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = _js("app.alert('evil')")


def _name_tree_js(pdf: pikepdf.Pdf) -> None:
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), _js("evil()")]))
    )


def _launch_with_attachment(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["evil.exe"] = pikepdf.AttachedFileSpec(
        pdf, b"MZ\x90\x00 evil payload", mime_type="application/x-msdownload"
    )
    pdf.Root.OpenAction = pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.Launch, F=pikepdf.String("evil.exe")
    )


def _page_additional_actions(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=_js("evil()"))


def _link_annotation(pdf: pikepdf.Pdf) -> None:
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([0, 0, 595, 842]),
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://evil.example/steal")),
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([link]))


def _xfa_form(pdf: pikepdf.Pdf) -> None:
    xfa = pdf.make_stream(b"<xdp:xdp><script>evil()</script></xdp:xdp>")
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xfa)


def _outline_js(pdf: pikepdf.Pdf) -> None:
    item = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("目录"), A=_js("evil()")))
    pdf.Root.Outlines = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=item, Last=item, Count=1)
    )


def _huge_page(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.MediaBox = pikepdf.Array([0, 0, 14400, 14400])


def _encrypted() -> bytes:
    return _pdf(lambda pdf: None, encryption=pikepdf.Encryption(owner="owner-pw", user="user-pw"))


REFUSED: dict[str, tuple[Callable[[], bytes], str]] = {
    "1-bit PNG of 110 M pixels (decompression bomb)": (_png_bomb, "超过 4000 万像素的上限"),
    "JPEG whose header claims 7000×7000": (
        lambda: _jpeg_claiming(7000, 7000),
        "为 7000×7000 像素，超过 4000 万像素",
    ),
    "JPEG whose header claims 60000×60000": (
        lambda: _jpeg_claiming(60_000, 60_000),
        "超过 4000 万像素的上限",
    ),
    "truncated PNG claiming 100000×100000": (
        lambda: _png_header_claiming(100_000, 100_000),
        "超过 4000 万像素的上限",
    ),
    "animated PNG": (_apng, "动图"),
    "GIF named .jpg": (lambda: b"GIF89a" + b"\x00" * 200, "不是 JPG、PNG 或 PDF"),
    "SVG with a script": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>evil()</script></svg>',
        "不是 JPG、PNG 或 PDF",
    ),
    "HTML named .pdf": (lambda: b"<!doctype html><html>" + SCRIPT + b"</html>", "不是 JPG、PNG 或 PDF"),
    "Windows executable named .jpg": (lambda: b"MZ\x90\x00\x03" + b"\x00" * 300, "不是 JPG、PNG 或 PDF"),
    "ZIP named .png": (lambda: b"PK\x03\x04" + b"\x00" * 300, "不是 JPG、PNG 或 PDF"),
    "truncated JPEG": (lambda: jpeg_bytes()[:60], "已损坏"),
    "JPEG header on garbage": (lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "已损坏"),
    "empty file": (lambda: b"", "空文件"),
    "over the size limit": (lambda: b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "超过 10 MB"),
    "20 bytes that are no PDF": (lambda: b"%PDF-1.7\n%%EOF\n\n\n\n\n", "不是完整有效的 PDF"),
    "truncated PDF": (lambda: pdf_bytes()[:300], "不是完整有效的 PDF"),
    "password-protected PDF": (_encrypted, "设有密码"),
    "PDF of 31 pages": (lambda: pdf_bytes(pages=31), "31 页，超过 30 页"),
    "PDF page of 5 × 5 metres": (lambda: _pdf(_huge_page), "页面尺寸过大"),
}

# name: (the file, what must be gone from what is stored)
NEUTRALISED: dict[str, tuple[Callable[[], bytes], tuple[bytes, ...]]] = {
    "JPEG comment with a script and a 身份证号": (
        lambda: _jpeg_with_segment(0xFE, SCRIPT + ID_NUMBER.encode()),
        (b"<script", ID_NUMBER.encode()),
    ),
    "JPEG with EXIF and GPS": (_exif_with_gps, (b"Exif", b"PhoneCamera")),
    "JPEG with XMP": (
        lambda: _jpeg_with_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + ID_NUMBER.encode()),
        (b"xmpmeta", ID_NUMBER.encode()),
    ),
    "JPEG with Photoshop IPTC": (
        lambda: _jpeg_with_segment(0xED, b"Photoshop 3.0\x008BIM" + SCRIPT),
        (b"8BIM", b"<script"),
    ),
    "ZIP appended to a JPEG": (lambda: _jpeg() + b"PK\x03\x04" + SCRIPT, (b"PK\x03\x04", b"<script")),
    "PNG with tEXt, zTXt and iTXt": (_text_png, (b"tEXt", b"zTXt", b"iTXt", ID_NUMBER.encode())),
    "PNG with an eXIf chunk": (
        lambda: _png_with_chunk(b"eXIf", b"MM\x00*" + ID_NUMBER.encode()),
        (b"eXIf", ID_NUMBER.encode()),
    ),
    "HTML after a PNG's end": (lambda: _png() + b"<html>" + SCRIPT, (b"<html", b"<script")),
    "PDF that runs JavaScript on opening": (
        lambda: _pdf(_open_action_js),
        (b"/JavaScript", b"/OpenAction", b"evil"),
    ),
    "PDF with a document-level script": (lambda: _pdf(_name_tree_js), (b"/JavaScript", b"evil")),
    "PDF that launches an embedded executable": (
        lambda: _pdf(_launch_with_attachment),
        (b"/Launch", b"/EmbeddedFile", b"evil payload"),
    ),
    "PDF page with additional actions": (lambda: _pdf(_page_additional_actions), (b"/AA", b"evil")),
    "PDF with a link annotation": (lambda: _pdf(_link_annotation), (b"/Annots", b"evil.example")),
    "PDF with an XFA form": (lambda: _pdf(_xfa_form), (b"/AcroForm", b"/XFA", b"xdp:xdp")),
    "PDF with an outline that runs a script": (lambda: _pdf(_outline_js), (b"/Outlines", b"evil")),
    "HTML after a PDF's end (polyglot)": (
        lambda: pdf_bytes() + b"\n<html>" + SCRIPT + b"</html>",
        (b"<html", b"<script"),
    ),
    "PDF with HTML before its end and a script in a stray object": (
        lambda: pdf_bytes().replace(b"%%EOF", b"9 0 obj\n(" + SCRIPT + b")\nendobj\n%%EOF"),
        (b"<script",),
    ),
}


def test_the_corpus_has_at_least_25_kinds() -> None:
    assert len(REFUSED) + len(NEUTRALISED) >= 25


@pytest.fixture
def policy():
    return active_policy()


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_hostile_file_is_refused_with_a_chinese_reason(policy, kind) -> None:
    make, reason = REFUSED[kind]
    with pytest.raises(MaterialRejected) as refused:
        material_clean(policy=policy, name="材料.jpg", data=make())
    assert reason in refused.value.message
    assert "材料.jpg" in refused.value.message


def _pdf_keys_and_streams(content: bytes) -> tuple[set[str], bytes]:
    """Every dictionary key anywhere in the PDF, and every stream's decoded content."""
    keys: set[str] = set()
    streams = b""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for obj in pdf.objects:
            dictionary = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            if isinstance(dictionary, pikepdf.Dictionary):
                keys.update(dictionary.keys())
            if isinstance(obj, pikepdf.Stream):
                try:
                    streams += obj.read_bytes()
                except pikepdf.PdfError:  # an image in its own coding (DCT): its bytes as stored
                    streams += obj.read_raw_bytes()
        assert len(pdf.pages) >= 1 and len(pdf.attachments) == 0
    return keys, streams


@pytest.mark.parametrize("kind", list(NEUTRALISED))
def test_a_hostile_file_is_stored_only_as_rebuilt_without_its_hostile_part(policy, kind) -> None:
    make, gone = NEUTRALISED[kind]
    original = make()

    clean = material_clean(policy=policy, name="材料", data=original)

    assert clean.content != original
    for hostile in gone:
        assert hostile not in clean.content, hostile
    if clean.content_type == "application/pdf":
        keys, streams = _pdf_keys_and_streams(clean.content)
        assert not keys & {
            "/JavaScript",
            "/JS",
            "/OpenAction",
            "/AA",
            "/Launch",
            "/AcroForm",
            "/XFA",
            "/Annots",
        }
        for hostile in gone:
            assert hostile not in streams, hostile
    else:
        with Image.open(io.BytesIO(clean.content)) as image:
            image.load()
            assert not image.getexif() and set(image.info) <= {
                "icc_profile",
                "jfif",
                "jfif_version",
                "jfif_unit",
                "jfif_density",
                "dpi",
            }


def test_a_colour_profile_is_the_one_thing_kept(policy) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _jpeg(icc_profile=profile, exif=Image.Exif().tobytes())

    clean = material_clean(policy=policy, name="照片.jpg", data=original)

    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.info.get("icc_profile") == profile


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_leaves_nothing_stored(loaded, settings) -> None:
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    media = settings.MEDIA_ROOT

    for kind, (make, _reason) in REFUSED.items():
        with pytest.raises(MaterialRejected):
            services.material_upload(
                application=application, kind="id_card_front", name="材料.jpg", data=make(), actor=zhang.actor
            )
        assert not Material.objects.filter(application=application).exists(), kind
    assert not any(path.is_file() for path in media.rglob("*")) if media.exists() else True


@pytest.mark.django_db(transaction=True)
def test_uploads_of_one_material_are_limited_and_unsubmitted_versions_leave_no_file(loaded, settings) -> None:
    settings_limit = active_policy().material_max_uploads
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))

    for _ in range(settings_limit):
        services.material_upload(
            application=application, kind="bank_card", name="卡.jpg", data=jpeg_bytes(), actor=zhang.actor
        )
    with pytest.raises(ApplicationError, match=f"“银行卡”已上传 {settings_limit} 次，达到上限"):
        services.material_upload(
            application=application, kind="bank_card", name="卡.jpg", data=jpeg_bytes(), actor=zhang.actor
        )

    versions = Material.objects.filter(application=application, kind="bank_card").order_by("uploaded_at")
    assert versions.count() == settings_limit
    # Replaced before any submission: no reviewer saw them, so only their record is kept.
    assert [bool(m.file) for m in versions] == [False] * (settings_limit - 1) + [True]
    stored = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    assert len(stored) == 1 and all(len(m.sha256) == 64 for m in versions)
