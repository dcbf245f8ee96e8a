"""The digest's chart: the leaderboard's inflows and outflows as horizontal bars."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..facts.models import WINDOW_WORDS, DigestFacts
from ..render import longdate, usd
from .figure import INFLOW, INK, MUTED, OUT_HATCH, OUTFLOW, Chart, axes_rect, frame, is_narrow, tick
from .fund import MILLION, source_line


def digest_charts(d: DigestFacts) -> list[Chart]:
    rows = list(d.inflows) + list(reversed(d.outflows))  # largest inflow on top, largest outflow at the bottom
    if not rows:
        return []
    period = "day" if d.window == "1d" else WINDOW_WORDS[d.window]

    def draw(fig: Figure) -> None:
        ax = fig.add_axes(axes_rect(fig, legend_rows=0, xlabel=True))
        y = list(range(len(rows)))[::-1]
        values = [r.net_usd.num / MILLION for r in rows]
        inflow = [r.net_usd.num > 0 for r in rows]
        bars = ax.barh(y, values, height=0.7, color=[INFLOW if i else OUTFLOW for i in inflow],
                       edgecolor=[INFLOW if i else "white" for i in inflow], linewidth=0.3)  # hatch in white
        for bar, i in zip(bars, inflow):
            bar.set_hatch(None if i else OUT_HATCH)
        ax.set_yticks(y, [r.ticker for r in rows], color=INK)
        ax.tick_params(axis="y", length=0)
        ax.axvline(0, color=MUTED, linewidth=0.8)
        span = max(abs(v) for v in values) or 1.0
        for yy, r, v in zip(y, rows, values):
            ax.annotate(usd(r.net_usd), (v, yy), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=7, color=INK)
        room = span * (0.7 if is_narrow(fig) else 0.35)  # for the amounts printed at the bars' ends
        lo, hi = min(0.0, min(values)) - room, max(0.0, max(values)) + room
        ax.set_xlim(lo, hi)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Net flow ($ million)")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v)))
        ax.legend(handles=[Patch(facecolor=INFLOW, edgecolor=INFLOW, label="Inflow"),
                           Patch(facecolor=OUTFLOW, edgecolor="white", hatch=OUT_HATCH, label="Outflow")],
                  loc="lower right")
        frame(fig, f"Largest net flows of the {period} to {longdate(d.as_of)}",
              source_line(d, *sorted({r.net_usd.source for r in rows})))

    return [Chart("leaderboard", "digest-leaderboard",
                  f"Leaderboard: the largest net inflows and outflows of the {period} to {longdate(d.as_of)}, "
                  "in $ million", draw)]
