"""P5: a 12-MP phone photo, uploaded as a material: checked, cleaned and stored.

The photo is generated, the same every time: 4000×3000, smooth shapes with noise so that it
compresses as a photo does (about 3.7 MB at quality 92), with the EXIF a phone writes — Make,
Model, DateTime, Orientation 6 (taken upright, stored turned, as phones store them) and a GPS
directory with the latitude and longitude.

Each run is a fresh process (``python -m bench.p5 --measure FILE``) with Django set up on
``gjj.settings.embedded`` and its own GJJ_VAR_DIR under the work directory. After the imports,
django.setup(), the policy and the file are read, it measures the CPU time and the rise of the
peak resident memory (VmHWM, see below) of what the hall does with an upload: ``material_clean`` with the
policy in force, then the cleaned file saved through Django's default storage (as
``material_upload`` saves ``Material.file``). It also reads back what was stored: no EXIF but the
orientation, no GPS, no camera, and no larger than the upload.

``python -m bench.p5 [--runs 5] [--work-dir var/bench/p5]`` runs this part alone and prints its
JSON and markdown; ``--measure FILE [--materials PATH]`` is one measurement (``--materials``
measures another version of ``gjj/withdrawals/materials.py``, e.g. the previous commit's).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.result import PartResult, Progress

RUNS = 5
SEED = 20260314
SIZE = (4000, 3000)
QUALITY = 92
NOISE = 28  # the grain's amplitude in levels: what makes it compress like a photo, not a drawing
CAMERA = {
    0x010F: "Xiaomi",  # Make
    0x0110: "Redmi Note 12 Pro",  # Model
    0x0132: "2026:03:14 09:21:07",  # DateTime
    0x0112: 6,  # Orientation: turned, to be shown rotated 90° clockwise
}
GPS_IFD = 0x8825
GPS = {1: "N", 2: (41.0, 48.0, 12.5), 3: "E", 4: (123.0, 25.0, 41.2)}  # 沈阳, to the second
TARGET_CPU_MS = 50.0
TARGET_PEAK_MB = 100.0


# --- the photo -------------------------------------------------------------------------------------


def phone_photo() -> bytes:
    """The photo's JPEG bytes: the same on every machine with the same Pillow and libjpeg."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(SEED)
    # A scene of soft shapes, drawn small and enlarged: smooth areas and edges, as in a photo.
    scene = Image.new("RGB", (400, 300), (120, 140, 160))
    draw = ImageDraw.Draw(scene)
    for _ in range(60):
        x, y, diameter = rng.randrange(-50, 400), rng.randrange(-50, 300), rng.randrange(10, 120)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + diameter, y + diameter * rng.uniform(0.5, 1.5)), fill=colour)
    scene = scene.filter(ImageFilter.GaussianBlur(3)).resize(SIZE, Image.Resampling.BICUBIC)
    # The sensor's grain, a little in each channel.
    grain = Image.frombytes("L", SIZE, rng.randbytes(SIZE[0] * SIZE[1])).point(lambda v: v * NOISE // 255)
    grain_rgb = Image.merge(
        "RGB",
        (
            grain,
            grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            grain.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        ),
    )
    photo = ImageChops.add(scene, grain_rgb, 1.0, -NOISE // 2)
    exif = Image.Exif()
    for tag, value in CAMERA.items():
        exif[tag] = value
    exif[GPS_IFD] = GPS
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=QUALITY, exif=exif.tobytes())
    return out.getvalue()


def photo_properties(data: bytes) -> dict[str, Any]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {
            "format": image.format,
            "size": list(image.size),
            "mode": image.mode,
            "quality": QUALITY,
            "bytes": len(data),
            "exif_tags": sorted(f"{tag:#06x}" for tag in exif),
            "gps_tags": len(exif.get_ifd(GPS_IFD)),
            "orientation": exif.get(0x0112),
        }


def metadata_left(stored: bytes) -> list[str]:
    """What of the camera's metadata is still in the stored file (nothing, if it was cleaned)."""
    from PIL import Image

    left = [str(value) for value in CAMERA.values() if isinstance(value, str) and value.encode() in stored]
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        left += [f"EXIF {tag:#06x}" for tag in exif if tag != 0x0112]
        if exif.get_ifd(GPS_IFD):
            left.append("GPS")
    return left


# --- one measurement (in its own process) ----------------------------------------------------------
#
# The peak memory is the kernel's high-water mark of this process's resident set (VmHWM), reset to
# the current size just before the work (writing 5 to /proc/self/clear_refs): the rise is what the
# work itself needed above what was resident. ru_maxrss alone would not do: a child started by
# subprocess (vfork and exec) reports at least its parent's peak — here the bench's, which drew a
# 12-MP picture — and the imports' transient peak would hide the work's as well.


def _peak_reset() -> None:
    # Not on Linux: the peak then comes from ru_maxrss, which may include the imports'.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_kb() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


def _materials_module(path: Path | None):  # type: ignore[no-untyped-def]
    if path is None:
        from gjj.withdrawals import materials

        return materials
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_p5_materials", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def measure(photo: Path, *, materials_path: Path | None = None) -> dict[str, Any]:
    """Clean and store ``photo`` once, as the hall does with an upload; what it cost."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gjj.settings.embedded")
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from gjj.policy.active import active_policy

    materials = _materials_module(materials_path)
    Image.init()  # all of Pillow's format plugins, as a hall process has them after its first image
    policy = active_policy()
    data = photo.read_bytes()

    _peak_reset()
    peak_before = _peak_kb()
    cpu_before = time.process_time()
    clean = materials.material_clean(policy=policy, name="身份证正面.jpg", data=data)
    stored_name = default_storage.save(
        f"materials/bench/P5-id_card_front.{clean.extension}", ContentFile(clean.content)
    )
    cpu = time.process_time() - cpu_before
    peak_after = _peak_kb()

    with default_storage.open(stored_name, "rb") as handle:
        stored = handle.read()
    default_storage.delete(stored_name)
    return {
        "cpu_ms": round(cpu * 1000, 1),
        "peak_mb": round((peak_after - peak_before) / 1024, 1),
        "upload_bytes": len(data),
        "stored_bytes": len(stored),
        "metadata_left": metadata_left(stored),
    }


# --- the part --------------------------------------------------------------------------------------


def _measured(photo: Path, *, var_dir: Path, materials_path: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="gjj.settings.embedded", GJJ_VAR_DIR=str(var_dir), GJJ_DATABASE_URL="")
    command = [sys.executable, "-m", "bench.p5", "--measure", str(photo)]
    if materials_path is not None:
        command += ["--materials", str(materials_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    *, work_dir: Path, progress: Progress, runs: int = RUNS, materials_path: Path | None = None
) -> PartResult:
    work_dir.mkdir(parents=True, exist_ok=True)
    progress("P5: generating the 12-MP phone photo")
    data = phone_photo()
    photo = work_dir / "phone-photo-4000x3000.jpg"
    photo.write_bytes(data)
    measured = []
    for number in range(1, runs + 1):
        measured.append(_measured(photo, var_dir=work_dir / f"var-{number}", materials_path=materials_path))
        progress(f"P5: run {number}/{runs}: {measured[-1]['cpu_ms']} ms CPU, +{measured[-1]['peak_mb']} MB")
    cpu = [one["cpu_ms"] for one in measured]
    peak = [one["peak_mb"] for one in measured]
    stored_bytes = measured[0]["stored_bytes"]
    details = {
        "photo": photo_properties(data),
        "runs": measured,
        "cpu_ms": {"median": round(statistics.median(cpu), 1), "max": max(cpu)},
        "peak_mb": {"median": round(statistics.median(peak), 1), "max": max(peak)},
        "upload_bytes": len(data),
        "stored_bytes": stored_bytes,
        "stored_not_larger": all(one["stored_bytes"] <= len(data) for one in measured),
        "metadata_left": sorted({item for one in measured for item in one["metadata_left"]}),
        "targets": {"cpu_ms": TARGET_CPU_MS, "peak_mb": TARGET_PEAK_MB},
    }
    return PartResult(
        figures={"p5_cpu_ms": details["cpu_ms"]["median"], "p5_peak_mb": details["peak_mb"]["median"]},
        details=details,
        markdown=_markdown(details),
    )


def _markdown(details: dict[str, Any]) -> str:
    photo = details["photo"]
    cpu, peak = details["cpu_ms"], details["peak_mb"]
    left = "none" if not details["metadata_left"] else ", ".join(details["metadata_left"])
    return "\n".join(
        [
            "## P5 — a 12-MP phone photo",
            "",
            f"A generated phone photo: {photo['size'][0]}×{photo['size'][1]} JPEG at quality {photo['quality']}, "
            f"{photo['bytes'] / 1e6:.2f} MB, with EXIF (Make, Model, DateTime, Orientation {photo['orientation']}) "
            f"and GPS latitude and longitude.",
            "",
            "| | median | max | target |",
            "|---|---:|---:|---:|",
            f"| CPU to check, clean and store | {cpu['median']:.1f} ms | {cpu['max']:.1f} ms | ≤ {TARGET_CPU_MS:.0f} ms |",
            f"| peak memory rise | {peak['median']:.1f} MB | {peak['max']:.1f} MB | ≤ {TARGET_PEAK_MB:.0f} MB |",
            "",
            f"Uploaded {details['upload_bytes']:,} bytes, stored {details['stored_bytes']:,} bytes; "
            f"camera metadata left in the stored file: {left}.",
            "",
            f"Measured in {len(details['runs'])} fresh processes, one run each: with Django set up "
            "(`gjj.settings.embedded`, its own GJJ_VAR_DIR), the policy and the file read, the CPU time "
            "(`time.process_time`) and the rise of the peak resident memory (VmHWM, reset just before; "
            "`ru_maxrss` would carry the parent's peak) of "
            "`material_clean` with the policy in force and the save of its result through Django's "
            "default storage, as a member's upload is saved. The JPEG is not decoded and re-encoded: "
            "its segments are parsed and it is rebuilt without the metadata ones (EXIF, GPS, XMP, "
            "comments, thumbnails, anything after the end), the compressed picture copied byte for "
            "byte, so the pixels are the member's exactly; a photo stored turned keeps an EXIF "
            "segment with its orientation alone. That the picture data is whole is checked by a "
            "reduced decode (1/8 scale), which still reads every scan.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.p5", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--work-dir", default="var/bench/p5", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # inside the subprocess
    parser.add_argument("--materials", type=Path, help="another materials.py to measure instead")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, materials_path=args.materials), ensure_ascii=False))
        return
    result = run(
        work_dir=args.work_dir.resolve(),
        progress=lambda text: print(text, file=sys.stderr, flush=True),
        runs=args.runs,
        materials_path=args.materials.resolve() if args.materials else None,
    )
    print(json.dumps({"figures": result.figures, "details": result.details}, ensure_ascii=False, indent=2))
    print(result.markdown)


if __name__ == "__main__":
    main()
