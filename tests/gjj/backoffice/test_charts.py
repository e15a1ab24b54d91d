"""Server-drawn SVG charts: well-formed, escaped, exact numbers in the tooltips, sane when empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gjj.backoffice.charts import (
    EMPTY_TEXT,
    PALETTE,
    Series,
    bar_chart,
    histogram,
    nice_ticks,
    stacked_bar_chart,
)
from gjj.core.money import format_yuan

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own markup, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    return root


def titles(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}title")]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def segment_titles(root: ET.Element) -> list[str]:
    return [title.text or "" for rect in root.iter(f"{SVG}rect") for title in rect.findall(f"{SVG}title")]


def test_stacked_bar_chart_is_accessible_svg_with_exact_segment_numbers():
    svg = stacked_bar_chart(
        title="每日受理申请",
        categories=["11-26", "11-27"],
        series=[Series(name="网厅", values=[3, 0]), Series(name="微信", values=[1, 12])],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 640 300"
    assert "WenQuanYi Micro Hei" in (root.get("font-family") or "")
    assert root.find(f"{SVG}title").text == "每日受理申请"  # type: ignore[union-attr]
    assert "合计 16" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    # A zero value draws no segment; the others say exactly what they count.
    assert segment_titles(root) == ["11-26 网厅：3", "11-26 微信：1", "11-27 微信：12"]
    assert "11-26 合计：4" in titles(root) and "11-27 合计：12" in titles(root)
    # The legend names each series in its palette colour.
    assert "网厅" in texts(root) and "微信" in texts(root)
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect")}
    assert {PALETTE[0], PALETTE[1]} <= fills
    assert (
        "<script" not in svg
        and "href" not in svg
        and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_stacked_bar_axis_ticks_are_round_numbers_reaching_the_tallest_bar():
    svg = stacked_bar_chart(title="t", categories=["a", "b"], series=[Series(name="s", values=[7, 3])])
    assert [t for t in texts(parse(svg)) if t.isdigit()] == ["0", "2", "4", "6", "8"]


def test_text_is_escaped_everywhere():
    evil = '<script>alert("x")</script>&'
    svgs = [
        stacked_bar_chart(title=evil, categories=[evil], series=[Series(name=evil, values=[1])]),
        bar_chart(title=evil, labels=[evil], values=[5]),
        histogram(title=evil, buckets=[(evil, 2)]),
    ]
    for svg in svgs:
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)  # still well-formed XML
        assert any(evil in t for t in titles(root))


def test_bar_chart_formats_values_with_the_given_function():
    svg = bar_chart(
        title="每日支付金额",
        labels=["11-26", "11-27"],
        values=[8642050, 0],
        value_format=format_yuan,
    )
    root = parse(svg)
    assert segment_titles(root) == ["11-26：86,420.50 元", "11-27：0.00 元"]
    assert "86,420.50 元" in texts(root)
    assert "0.00 元" in texts(root)  # the axis starts at zero, in 元 too
    assert "11-26 86,420.50 元" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_bar_chart_colours_bars_apart_only_when_asked():
    def fills(svg: str) -> list[str | None]:
        root = parse(svg)
        return [r.get("fill") for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]

    assert fills(bar_chart(title="t", labels=["a", "b"], values=[1, 2])) == [PALETTE[0]] * 2
    assert fills(bar_chart(title="t", labels=["a", "b"], values=[1, 2], distinct_colours=True)) == [
        PALETTE[0],
        PALETTE[1],
    ]


def test_histogram_draws_every_bucket_with_its_count():
    buckets = [("<1小时", 4), ("1–24小时", 0), ("1–3天", 2), (">3天", 1)]
    root = parse(histogram(title="提交至审批用时", buckets=buckets))
    assert segment_titles(root) == ["<1小时：4", "1–24小时：0", "1–3天：2", ">3天：1"]
    assert [label for label, _ in buckets] == [t for t in texts(root) if not t.isdigit()]


@pytest.mark.parametrize(
    "svg",
    [
        stacked_bar_chart(title="空", categories=[], series=[]),
        stacked_bar_chart(title="空", categories=["11-27"], series=[Series(name="网厅", values=[0])]),
        bar_chart(title="空", labels=[], values=[]),
        bar_chart(title="空", labels=["a", "b"], values=[0, 0]),
        histogram(title="空", buckets=[("<1小时", 0)]),
    ],
)
def test_no_data_draws_an_empty_frame_that_says_so(svg):
    root = parse(svg)
    assert texts(root) == [EMPTY_TEXT]
    assert segment_titles(root) == []
    assert root.find(f"{SVG}title").text == "空"  # type: ignore[union-attr]


def test_one_category_and_huge_values_stay_inside_the_frame():
    huge = 987_654_321_098
    root = parse(bar_chart(title="t", labels=["only"], values=[huge], value_format=format_yuan))
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 1
    y, height = float(bars[0].get("y") or 0), float(bars[0].get("height") or 0)
    assert y >= 0 and y + height <= 300
    assert height > 100  # the axis is scaled to the value, not clipped
    assert segment_titles(root) == [f"only：{format_yuan(huge)}"]


def test_mismatched_or_negative_values_are_refused():
    with pytest.raises(ValueError, match="个数"):
        stacked_bar_chart(title="t", categories=["a", "b"], series=[Series(name="s", values=[1])])
    with pytest.raises(ValueError, match="负数"):
        bar_chart(title="t", labels=["a"], values=[-1])


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (1, [0, 1]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (99, [0, 20, 40, 60, 80, 100]),
        (123_456_789, [0, 50_000_000, 100_000_000, 150_000_000]),
    ],
)
def test_nice_ticks(maximum, expected):
    assert nice_ticks(maximum) == expected


def test_same_input_same_markup_and_distinct_ids_for_distinct_charts():
    a = bar_chart(title="甲", labels=["x"], values=[1])
    b = bar_chart(title="乙", labels=["x"], values=[1])
    assert a == bar_chart(title="甲", labels=["x"], values=[1])
    assert parse(a).get("aria-labelledby") != parse(b).get("aria-labelledby")
