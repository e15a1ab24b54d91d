"""QR codes as inline SVG, generated on the server (no image files, no third-party service)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str, *, label: str, css_class: str = "qr-code") -> SafeString:
    """``data`` as an inline ``<svg role="img">`` whose accessible name is ``label``.

    The SVG carries no text of its own: the page writes the caption beside it."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathImage
    )
    code.add_data(data)
    code.make(fit=True)
    # qrcode builds its tree with lxml when lxml is installed and with ElementTree otherwise: its
    # serialised SVG is the same either way, so the markup is rebuilt from that. The HTML parser
    # knows the SVG namespace without the declaration.
    serialised = code.make_image().to_string().replace(b' xmlns="http://www.w3.org/2000/svg"', b"")
    svg = ET.fromstring(serialised)  # noqa: S314 - our own output, not outside input
    # Sized by the stylesheet (it scales with the page).
    for attribute in ("width", "height"):
        svg.attrib.pop(attribute, None)
    svg.set("class", css_class)
    svg.set("role", "img")
    svg.set("aria-label", label)
    svg.set("focusable", "false")
    svg.set("shape-rendering", "crispEdges")  # no hairline seams between modules when scaled
    for path in svg:
        path.attrib.pop("id", None)  # two codes on one page must not share an id
    title = ET.Element("title")
    title.text = label
    svg.insert(0, title)
    markup = ET.tostring(svg, encoding="unicode", short_empty_elements=True)
    return mark_safe(markup)  # noqa: S308 - built here from an ElementTree, text escaped by ET
