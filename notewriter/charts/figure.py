"""One chart: a matplotlib figure drawn on demand, saved as deterministic SVG (inline) or PNG (email)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import matplotlib

matplotlib.use("Agg")  # no display, and the same pixels on every machine

from matplotlib.figure import Figure  # noqa: E402

WIDTH_IN, HEIGHT_IN = 6.4, 3.6   # inches; 640 x 360 CSS pixels at the SVG's 100 per inch
SVG_DPI = 100
PNG_DPI = 2 * SVG_DPI            # twice the size it is shown at, for sharp text on high-density screens

INK, MUTED, GRID = "#1b1b1b", "#555555", "#dddddd"
PRICE, AVERAGE, MARK = "#1f4e79", "#b35806", "#6b6b6b"
INFLOW, OUTFLOW, SHARES = "#2166ac", "#d6604d", "#4d4d4d"   # blue and red-orange: apart for colour-blind readers
OUT_HATCH = "////"                                           # and apart in grey-scale: outflows are hatched

_STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8.5, "axes.titlesize": 10, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 8.5, "axes.edgecolor": MUTED, "axes.labelcolor": INK,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.axisbelow": True, "grid.color": GRID,
    "grid.linewidth": 0.6, "xtick.color": MUTED, "ytick.color": MUTED, "legend.fontsize": 7.5,
    "legend.frameon": False, "svg.fonttype": "path", "hatch.linewidth": 0.8, "path.simplify": False,
}


@dataclass(frozen=True)
class Chart:
    """`key` names it within its document (`price`, `flows`, `leaderboard`); `title` is its text alternative."""

    key: str
    slug: str                                   # unique on a page and in a file name: ijr-price
    title: str
    draw: Callable[[Figure], None] = field(repr=False, compare=False)

    def _figure(self, salt: str) -> Figure:
        with matplotlib.rc_context({**_STYLE, "svg.hashsalt": salt, "svg.id": f"chart-{self.slug}"}):
            fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=SVG_DPI)
            self.draw(fig)
        return fig

    @cached_property
    def svg(self) -> str:
        """The chart as an <svg> element to inline in HTML: no XML prolog, metadata or comments; its ids
        prefixed with the slug so two charts on one page never share one; width from the page."""
        buf = io.StringIO()
        with matplotlib.rc_context({**_STYLE, "svg.hashsalt": self.slug, "svg.id": f"chart-{self.slug}"}):
            fig = self._figure(self.slug)
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                                      "Type": None})
        return _inline(buf.getvalue(), self.slug, self.title)

    @cached_property
    def png(self) -> bytes:
        """The chart as PNG at twice its shown size, without a software tag."""
        buf = io.BytesIO()
        with matplotlib.rc_context(_STYLE):
            self._figure(self.slug).savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        return buf.getvalue()

    @property
    def png_size(self) -> tuple[int, int]:
        return round(WIDTH_IN * PNG_DPI), round(HEIGHT_IN * PNG_DPI)


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def _inline(svg: str, slug: str, title: str) -> str:
    from html import escape

    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = _ID.sub(lambda m: m.group(0) if m.group(1).startswith("chart-") else f'id="{slug}-{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{slug}-{m.group(2)}", svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = re.sub(r'\swidth="[^"]*"', ' width="100%"', head, count=1)
    head = re.sub(r'\sheight="[^"]*"', "", head, count=1)
    head = head[:-1] + f' role="img" aria-label="{escape(title)}">'
    return f"{head}\n<title>{escape(title)}</title>{svg[head_end:].strip()}\n"
