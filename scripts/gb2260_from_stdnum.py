"""Write src/gjj/core/gb2260_area_codes.txt from python-stdnum's table of 行政区划代码.

python-stdnum (stdnum/cn/loc.dat, compiled from the Wikipedia lists of every GB/T 2260 edition
since 1980) records each code with the years its names were in force. The hall keeps every code
that has ever existed, whatever the years: a 身份证号 keeps the code of the office that issued it
long after the district was renamed or merged. Run again after upgrading python-stdnum:

    .venv/bin/python scripts/gb2260_from_stdnum.py
"""

from __future__ import annotations

import re
from pathlib import Path

import stdnum

SOURCE = Path(stdnum.__file__).parent / "cn" / "loc.dat"
TARGET = Path(__file__).resolve().parents[1] / "src" / "gjj" / "core" / "gb2260_area_codes.txt"

# Codes on 居住证 of residents of Hong Kong, Macao and Taiwan (issued from 2018 on, GB 11643
# numbering), which python-stdnum's list of administrative divisions does not carry.
EXTRA = (("810000", "2018", "", "香港居民居住证"), ("820000", "2018", "", "澳门居民居住证"), ("830000", "2018", "", "台湾居民居住证"))

_PROVINCE = re.compile(r'^(\d{2}) province="([^"]*)"$')
_COUNTY = re.compile(r'^  (\d{4}) county="([^"]*)"$')
_PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")


def rows() -> list[tuple[str, str, str, str]]:
    found: list[tuple[str, str, str, str]] = []
    province = ""
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if match := _PROVINCE.match(line):
            province = match.group(1)
            continue
        match = _COUNTY.match(line)
        if match is None:
            raise SystemExit(f"unexpected line in {SOURCE}: {line!r}")
        code = province + match.group(1)
        for part in match.group(2).split(","):
            period = _PERIOD.match(part)
            if period:
                found.append((code, period.group(1) or "", period.group(2) or "", period.group(3)))
            else:
                found.append((code, "", "", part))
    known = {row[0] for row in found}
    found.extend(row for row in EXTRA if row[0] not in known)
    return sorted(found)


def main() -> None:
    header = (
        "# 行政区划代码 (GB/T 2260), every code that has existed, with the years of each name\n"
        f"# (empty: no limit known). Made by scripts/gb2260_from_stdnum.py from python-stdnum {stdnum.__version__}.\n"
        "# code\tfrom\tuntil\tname\n"
    )
    body = "".join("\t".join(row) + "\n" for row in rows())
    TARGET.write_text(header + body, encoding="utf-8")
    print(f"{TARGET}: {body.count(chr(10))} rows")


if __name__ == "__main__":
    main()
