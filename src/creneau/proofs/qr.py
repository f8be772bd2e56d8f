"""QR codes for signed tokens: inline SVG (HTML pages and WeasyPrint PDFs), data URIs, PNG."""

from __future__ import annotations

import io

import segno

# M recovers about 15% damage: enough for a folded or creased printout, and keeps the code small.
ERROR = "m"


def _make(data: str) -> segno.QRCode:
    return segno.make_qr(data, error=ERROR, boost_error=False)


def qr_svg(data: str, *, title: str = "") -> str:
    """An ``<svg>`` element (no XML declaration) sized by its viewBox: set its width with CSS.

    Dark modules are one path in ``currentColor``-free black on white, with the 4-module quiet zone.
    """
    return _make(data).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, title=title or None,
        svgclass="qr", lineclass=None,
    )


def qr_svg_data_uri(data: str) -> str:
    """The same QR code as a ``data:image/svg+xml`` URI, for an ``<img src>``."""
    return _make(data).svg_data_uri(scale=1, border=4, dark="#000", light="#fff", omitsize=True)


def qr_png(data: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _make(data).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
