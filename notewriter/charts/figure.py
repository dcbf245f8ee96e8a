"""One chart: a matplotlib figure drawn on demand, saved as deterministic SVG (inline) or PNG (email)."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN = 6.4, 3.6   # inches; 640 x 360 CSS pixels at the SVG's 100 per inch
NARROW_IN = (4.0, 4.2)           # the same chart laid out for a phone's width
SVG_DPI = 100
PNG_DPI = 2 * SVG_DPI            # twice the size it is shown at, for sharp text on high-density screens
PNG_COLOURS = 64                 # a chart has a handful of colours and their anti-aliased edges

INK, MUTED, GRID = "#1b1b1b", "#555555", "#dddddd"
PRICE, AVERAGE, MARK = "#1f4e79", "#b35806", "#6b6b6b"
INFLOW, OUTFLOW, SHARES = "#2166ac", "#d6604d", "#4d4d4d"   # blue and red-orange: apart for colour-blind readers
OUT_HATCH = "////"                                           # and apart in grey-scale: outflows are hatched

_STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 9, "axes.edgecolor": MUTED, "axes.labelcolor": INK,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.axisbelow": True, "grid.color": GRID,
    "grid.linewidth": 0.6, "xtick.color": MUTED, "ytick.color": MUTED, "legend.fontsize": 8,
    "legend.frameon": False, "svg.fonttype": "path", "hatch.linewidth": 0.8, "path.simplify": False,
    "text.parse_math": False,  # a "$" in a name or an amount is a dollar sign, never mathtext
}


# matplotlib's settings (rcParams, which the hash salt and id of an SVG are) belong to the process: charts
# drawn on two threads at once (a batch's LLM threads, a Dask worker's threads) take turns
_DRAWING = threading.RLock()


@dataclass(frozen=True)
class Chart:
    """`key` names it within its document (`price`, `flows`, `leaderboard`); `title` is its text alternative."""

    key: str
    slug: str                                   # unique on a page and in a file name: ijr-price
    title: str
    draw: Callable[[Figure], None] = field(repr=False, compare=False)

    def _figure(self, size: tuple[float, float]) -> Figure:
        fig = Figure(figsize=size, dpi=SVG_DPI)
        FigureCanvasAgg(fig)  # drawn by Agg (no display, no pyplot state), whatever backend the process chose
        self.draw(fig)
        return fig

    def _svg(self, size: tuple[float, float], slug: str) -> str:
        buf = io.StringIO()
        with _DRAWING, matplotlib.rc_context({**_STYLE, "svg.hashsalt": slug, "svg.id": f"chart-{slug}"}):
            self._figure(size).savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        return _inline(buf.getvalue(), slug, self.title)

    @cached_property
    def svg(self) -> str:
        """The chart as an <svg> element to inline in HTML: no XML prolog, metadata or comments; its ids
        prefixed with the slug so two charts on one page never share one; width from the page."""
        return self._svg((WIDTH_IN, HEIGHT_IN), self.slug)

    @cached_property
    def narrow_svg(self) -> str:
        """The same, laid out for a phone's width (taller, titles and legends wrapped)."""
        return self._svg(NARROW_IN, f"{self.slug}-narrow")

    @cached_property
    def png(self) -> bytes:
        """The chart as PNG at twice its shown size, without a software tag, in a palette of PNG_COLOURS (a
        third of the bytes of full colour, for mail that counts them)."""
        from PIL import Image

        buf = io.BytesIO()
        with _DRAWING, matplotlib.rc_context(_STYLE):
            self._figure((WIDTH_IN, HEIGHT_IN)).savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        out = io.BytesIO()
        image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, format="PNG", optimize=True)
        return out.getvalue()

    @property
    def png_size(self) -> tuple[int, int]:
        return round(WIDTH_IN * PNG_DPI), round(HEIGHT_IN * PNG_DPI)


def tick(v: float, prefix: str = "") -> str:
    """An axis label as precise as the ticks need: $82.5 between $80 and $85, never a rounded $82."""
    body = f"{abs(v):,.2f}".rstrip("0").rstrip(".")
    return ("-" if v < 0 and body != "0" else "") + prefix + body


def is_narrow(fig: Figure) -> bool:
    return fig.get_figwidth() < WIDTH_IN


def wrap(fig: Figure, text: str, width: int) -> str:
    """A title or source line broken into lines of at most `width` characters on a narrow figure."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) if is_narrow(fig) else text


def axes_rect(fig: Figure, twin: bool = False, legend_rows: int = 1,
              xlabel: bool = False) -> tuple[float, float, float, float]:
    """Where the plot sits: room for the title and legend above, the source line (and an axis label) below, a
    second axis on the right."""
    if not is_narrow(fig):
        bottom = 0.2 if xlabel else 0.15
        return (0.1, bottom, 0.78 if twin else 0.87, 0.81 - bottom)
    top, left, right = 0.8 - 0.045 * legend_rows, 0.17, 0.78 if twin else 0.96
    bottom = 0.24 if xlabel else 0.2
    return (left, bottom, right - left, top - bottom)


def frame(fig: Figure, title: str, source: str) -> None:
    """The title above the plot and the source line below it, wrapped on a narrow figure."""
    fig.suptitle(wrap(fig, title, 44), x=0.01, y=0.985, ha="left", va="top", fontsize=10, fontweight="bold",
                 color=INK)
    fig.text(0.01, 0.015, wrap(fig, source, 78), fontsize=6.8, color=MUTED, ha="left", va="bottom")


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
