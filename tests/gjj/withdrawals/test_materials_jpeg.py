"""A JPEG is stored as rebuilt from its own segments: the metadata gone (EXIF, GPS, XMP, IPTC,
comments, thumbnails, a phone's second picture, whatever follows the end), the compressed picture
copied byte for byte so the pixels are exactly the member's, a turned photo still upright, and a
truncated or unsupported one refused.

What is stored is read back with Pillow (its list of APPn/COM segments, its decoding), not with
the code under test."""

from __future__ import annotations

import io
import random
import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from gjj.policy.active import active_policy
from gjj.withdrawals.materials import MaterialRejected, material_clean

ID_NUMBER = b"210102196204180133"
ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


@pytest.fixture(scope="module")
def policy():
    return active_policy()


def _picture(size: tuple[int, int] = (96, 64), *, seed: int = 7, mode: str = "RGB") -> Image.Image:
    """A picture with detail in it (noise), so that any re-encoding would change its pixels."""
    width, height = size
    noise = random.Random(seed).randbytes(width * height * 3)
    return Image.frombytes("RGB", size, noise).convert(mode)


def _jpeg(image: Image.Image | None = None, **save_options) -> bytes:
    out = io.BytesIO()
    (image or _picture()).save(out, format="JPEG", **{"quality": 92, **save_options})
    return out.getvalue()


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _with_segments_after_soi(data: bytes, *segments: bytes) -> bytes:
    return data[:2] + b"".join(segments) + data[2:]


def _camera_exif(*, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "PhoneCamera " + ID_NUMBER.decode()
    exif[0x0110] = "Model X"
    exif[0x0132] = "2026:03:14 09:21:07"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (41.0, 48.0, 12.5), 3: "E", 4: (123.0, 25.0, 41.2)}
    return exif.tobytes()


def _xmp(extra: bytes = b"") -> bytes:
    return _segment(
        0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + ID_NUMBER + extra + b"</x:xmpmeta>"
    )


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


def _app_segments(data: bytes) -> list[tuple[str, bytes]]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return list(image.applist)  # type: ignore[attr-defined]


def _from_first_scan(data: bytes) -> bytes:
    """The compressed picture: from the first scan header to the end of the image."""
    return data[data.index(b"\xff\xda") : data.index(b"\xff\xd9", data.index(b"\xff\xda")) + 2]


def test_a_phone_photo_keeps_none_of_its_metadata(policy):
    original = _with_segments_after_soi(
        _jpeg(exif=_camera_exif()),
        _segment(0xFE, b"<script>alert(1)</script>" + ID_NUMBER),  # a comment
        _xmp(),
        _segment(0xED, b"Photoshop 3.0\x008BIM" + ID_NUMBER),  # IPTC
        _segment(0xE0, b"JFXX\x00\x10" + ID_NUMBER),  # a JFIF extension: a thumbnail
        _segment(0xE2, b"FPXR\x00" + ID_NUMBER),  # FlashPix in an APP2 that is no colour profile
    ) + (b"PK\x03\x04" + ID_NUMBER)  # a ZIP after the end

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    hidden = [
        ID_NUMBER,
        b"Exif",
        b"PhoneCamera",
        b"xmpmeta",
        b"8BIM",
        b"<script",
        b"JFXX",
        b"FPXR",
        b"PK\x03",
    ]
    assert [mark for mark in hidden if mark in stored] == []
    assert [name for name, _ in _app_segments(stored)] == ["APP0"]  # the JFIF header only
    assert stored.endswith(b"\xff\xd9") and stored.count(b"\xff\xd9") == 1
    assert len(stored) < len(original)


def test_the_jfif_header_keeps_its_density_but_not_its_thumbnail(policy):
    thumbnail = bytes([2, 1]) + b"\x7f" * 6  # a 2×1 RGB thumbnail inside the JFIF header
    jfif = b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48" + thumbnail
    plain = _jpeg()
    original = plain[:2] + _segment(0xE0, jfif) + plain[plain.index(b"\xff\xdb") :]

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert _app_segments(stored) == [("APP0", b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00")]
    assert _decoded(stored).info["dpi"] == (72, 72)


def test_the_pixels_and_the_compressed_picture_are_the_originals_exactly(policy):
    original = _jpeg(_picture((160, 120)), exif=_camera_exif())

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert _from_first_scan(stored) == _from_first_scan(original)
    assert _decoded(stored).tobytes() == _decoded(original).tobytes()


@pytest.mark.parametrize(
    "kind, save_options",
    [
        ("progressive", {"progressive": True}),
        ("restart markers", {"restart_marker_blocks": 1}),
        ("no chroma subsampling", {"subsampling": 0}),
        ("grey", {"mode": "L"}),
        ("CMYK (Adobe header)", {"mode": "CMYK"}),
    ],
)
def test_every_kind_of_jpeg_a_camera_or_scanner_writes_is_kept_pixel_for_pixel(policy, kind, save_options):
    mode = save_options.pop("mode", "RGB")
    original = _with_segments_after_soi(_jpeg(_picture(mode=mode), **save_options), _xmp())

    stored = material_clean(policy=policy, name="扫描件.jpg", data=original).content

    assert ID_NUMBER not in stored
    before, after = _decoded(original), _decoded(stored)
    assert (after.mode, after.size) == (before.mode, before.size)
    assert after.tobytes() == before.tobytes(), kind


def test_a_cmyk_jpeg_keeps_its_adobe_header_which_decoding_needs(policy):
    original = _jpeg(_picture(mode="CMYK"))
    adobe = [payload for name, payload in _app_segments(original) if name == "APP14"]
    assert adobe  # Pillow marks its CMYK JPEGs as Adobe's (inverted)

    stored = material_clean(policy=policy, name="扫描件.jpg", data=original).content

    assert [(name, payload) for name, payload in _app_segments(stored) if name == "APP14"] == [
        ("APP14", adobe[0][:12])
    ]


def test_several_exif_and_xmp_segments_all_go(policy):
    second_exif = _segment(0xE1, b"Exif\x00\x00" + _camera_exif())
    original = _with_segments_after_soi(_jpeg(exif=_camera_exif()), _xmp(b"1"), second_exif, _xmp(b"2"))

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert ID_NUMBER not in stored and b"Exif" not in stored
    assert not _decoded(stored).getexif()


def test_a_colour_profile_in_several_segments_is_kept_whole(policy):
    profile = random.Random(3).randbytes(150_000)  # more than one segment holds (64 KB)

    original = _jpeg(icc_profile=profile, exif=_camera_exif())
    assert sum(1 for name, _ in _app_segments(original) if name == "APP2") == 3

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert _decoded(stored).info["icc_profile"] == profile
    assert ID_NUMBER not in stored


@pytest.mark.parametrize("orientation", [3, 6, 8, 5])
def test_a_turned_photo_keeps_only_its_orientation_and_stands_upright(policy, orientation):
    picture = _picture((96, 64))
    original = _jpeg(picture, exif=_camera_exif(orientation=orientation))

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    shown = _decoded(stored)
    assert dict(shown.getexif()) == {ORIENTATION: orientation}  # no camera, time or place
    assert not shown.getexif().get_ifd(GPS_IFD)
    assert ID_NUMBER not in stored and b"PhoneCamera" not in stored
    # Upright as a browser shows it: turned by its orientation, the same as the member's photo.
    assert ImageOps.exif_transpose(shown).tobytes() == ImageOps.exif_transpose(_decoded(original)).tobytes()
    if orientation in (5, 6, 8):
        assert ImageOps.exif_transpose(shown).size == (64, 96)


def test_an_orientation_given_only_in_the_xmp_is_kept_as_exif(policy):
    xmp = _segment(0xE1, b'http://ns.adobe.com/xap/1.0/\x00<rdf tiff:Orientation="6"/>' + ID_NUMBER)
    original = _with_segments_after_soi(_jpeg(), xmp)

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert dict(_decoded(stored).getexif()) == {ORIENTATION: 6} and ID_NUMBER not in stored


def test_an_upright_photo_carries_no_exif_at_all(policy):
    stored = material_clean(
        policy=policy, name="照片.jpg", data=_jpeg(exif=_camera_exif(orientation=1))
    ).content

    assert b"Exif" not in stored and not _decoded(stored).getexif()


def test_a_phones_second_picture_goes_and_the_first_is_kept(policy):
    first, second = _picture(seed=1), _picture(seed=2)
    out = io.BytesIO()
    first.save(out, format="MPO", save_all=True, append_images=[second], quality=92)
    original = out.getvalue()

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert [name for name, _ in _app_segments(stored)] == ["APP0"]  # no MPF index
    with Image.open(io.BytesIO(original)) as multi:
        assert multi.format == "MPO" and getattr(multi, "n_frames", 1) == 2
        assert _decoded(stored).tobytes() == multi.convert("RGB").tobytes()
    assert len(stored) < len(original) * 0.6


@pytest.mark.parametrize("cut", [0.99, 0.5, 0.05])
def test_a_truncated_photo_is_refused(policy, cut):
    original = _jpeg(_picture((160, 120)), exif=_camera_exif())

    with pytest.raises(MaterialRejected, match=re.escape("“照片.jpg”已损坏或无法识别，请重新拍照")):
        material_clean(policy=policy, name="照片.jpg", data=original[: int(len(original) * cut)])


def test_a_progressive_photo_cut_between_two_scans_is_refused(policy):
    original = _jpeg(_picture((160, 120)), progressive=True)
    last_scan = original.rindex(b"\xff\xda")

    with pytest.raises(MaterialRejected, match="已损坏"):
        material_clean(policy=policy, name="照片.jpg", data=original[:last_scan])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data.replace(b"\xff\xc0", b"\xff\xc3", 1), id="lossless frame"),
        pytest.param(lambda data: data.replace(b"\xff\xc0", b"\xff\xf7", 1), id="JPEG-LS frame"),
        pytest.param(lambda data: data.replace(b"\xff\xc4", b"\xff\xc0", 1), id="two frame headers"),
        pytest.param(lambda data: data[:2] + b"\xff\xd0" + data[2:], id="a restart outside a scan"),
        pytest.param(lambda data: data[:20] + b"\x00\x00" + data[20:], id="bytes after the JFIF header"),
        pytest.param(lambda data: data[:2] + b"\xff\xfe\x00\x01" + data[2:], id="a length below 2"),
        pytest.param(lambda data: data[:2] + b"\xff\xfe\xff\xff" + data[2:], id="a length past the end"),
    ],
)
def test_a_jpeg_of_a_kind_no_camera_writes_or_out_of_order_is_refused(policy, damage):
    with pytest.raises(MaterialRejected, match="已损坏或无法识别"):
        material_clean(policy=policy, name="照片.jpg", data=damage(_jpeg()))


def test_a_photo_that_only_decoding_finds_broken_is_refused(policy):
    data = bytearray(_jpeg())
    frame = data.index(b"\xff\xc0")
    data[frame + 12] = 3  # the first component's quantisation table: one the file does not define

    with pytest.raises(MaterialRejected, match="已损坏或无法识别"):
        material_clean(policy=policy, name="照片.jpg", data=bytes(data))


def test_the_pixel_limit_is_read_from_the_frame_header_before_decoding(policy):
    data = bytearray(_jpeg())
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", 5000, 9000)  # 45 M pixels claimed, 96×64 there

    with pytest.raises(MaterialRejected, match="为 9000×5000 像素，超过 4000 万像素的上限"):
        material_clean(policy=policy, name="照片.jpg", data=bytes(data))


# --- any JPEG with any metadata ------------------------------------------------------------------------

SECRET = b"SECRET-7f3a"

_metadata_segment = st.one_of(
    st.binary(max_size=200).map(lambda noise: _segment(0xFE, noise + SECRET)),
    st.tuples(st.floats(0, 89), st.floats(0, 179)).map(
        lambda place: _segment(0xE1, b"Exif\x00\x00" + _gps_exif(*place))
    ),
    st.binary(max_size=100).map(lambda noise: _xmp(noise + SECRET)),
    st.tuples(st.sampled_from([0xE3, 0xE4, 0xE5, 0xEB, 0xEC, 0xED, 0xEF]), st.binary(max_size=100)).map(
        lambda app: _segment(app[0], app[1] + SECRET)
    ),
    st.binary(max_size=50).map(lambda noise: _segment(0xE2, b"MPF\x00" + noise + SECRET)),
)


def _gps_exif(latitude: float, longitude: float) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = SECRET.decode()
    exif[GPS_IFD] = {
        1: "N",
        2: (float(int(latitude)), 0.0, 0.0),
        3: "E",
        4: (float(int(longitude)), 0.0, 0.0),
    }
    return exif.tobytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.tuples(st.integers(1, 80), st.integers(1, 80)),
    mode=st.sampled_from(["RGB", "L", "CMYK"]),
    progressive=st.booleans(),
    quality=st.integers(30, 98),
    seed=st.integers(0, 1000),
    before_tables=st.lists(_metadata_segment, max_size=3),
    after_soi=st.lists(_metadata_segment, max_size=3),
    trailer=st.binary(max_size=64),
)
def test_any_jpeg_with_any_metadata_is_stored_without_it_and_with_its_pixels(
    policy, size, mode, progressive, quality, seed, before_tables, after_soi, trailer
):
    plain = _jpeg(_picture(size, seed=seed, mode=mode), progressive=progressive, quality=quality)
    tables = plain.index(b"\xff\xdb")  # the first quantisation table, after Pillow's JFIF/Adobe header
    original = b"".join(
        [plain[:2], *after_soi, plain[2:tables], *before_tables, plain[tables:], SECRET, trailer]
    )

    stored = material_clean(policy=policy, name="照片.jpg", data=original).content

    assert SECRET not in stored
    assert {name for name, _ in _app_segments(stored)} <= {"APP0", "APP14"}  # JFIF, Adobe: no metadata
    assert stored.endswith(b"\xff\xd9")
    assert _from_first_scan(stored) == _from_first_scan(plain)
    assert _decoded(stored).tobytes() == _decoded(plain).tobytes()
