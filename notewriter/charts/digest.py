"""The digest's chart: the leaderboard's inflows and outflows as horizontal bars."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..facts.models import WINDOW_WORDS, DigestFacts
from ..render import longdate, usd
from .figure import INFLOW, INK, MUTED, OUT_HATCH, OUTFLOW, Chart
from .fund import MILLION, source_line


def digest_charts(d: DigestFacts) -> list[Chart]:
    rows = list(d.inflows) + list(reversed(d.outflows))  # largest inflow on top, largest outflow at the bottom
    if not rows:
        return []
    period = "day" if d.window == "1d" else WINDOW_WORDS[d.window]

    def draw(fig: Figure) -> None:
        ax = fig.add_axes((0.09, 0.2, 0.86, 0.66))
        y = list(range(len(rows)))[::-1]
        values = [r.net_usd.num / MILLION for r in rows]
        inflow = [r.net_usd.num > 0 for r in rows]
        bars = ax.barh(y, values, height=0.7, color=[INFLOW if i else OUTFLOW for i in inflow],
                       edgecolor=[INFLOW if i else OUTFLOW for i in inflow], linewidth=0.3)
        for bar, i in zip(bars, inflow):
            bar.set_hatch(None if i else OUT_HATCH)
        ax.set_yticks(y, [r.ticker for r in rows], color=INK)
        ax.tick_params(axis="y", length=0)
        ax.axvline(0, color=MUTED, linewidth=0.8)
        span = max(abs(v) for v in values) or 1.0
        for yy, r, v in zip(y, rows, values):
            ax.annotate(usd(r.net_usd), (v, yy), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=7, color=INK)
        lo = min(0.0, min(values)) - span * 0.35
        hi = max(0.0, max(values)) + span * 0.35
        ax.set_xlim(lo, hi)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Net flow ($ million)")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.legend(handles=[Patch(facecolor=INFLOW, edgecolor=INFLOW, label="Inflow"),
                           Patch(facecolor=OUTFLOW, edgecolor=OUTFLOW, hatch=OUT_HATCH, label="Outflow")],
                  loc="lower right")
        fig.suptitle(f"Largest net flows of the {period} to {longdate(d.as_of)}", x=0.01, y=0.975, ha="left",
                     fontsize=10, fontweight="bold", color=INK)
        source_line(fig, d, *sorted({r.net_usd.source for r in rows}))

    return [Chart("leaderboard", "digest-leaderboard",
                  f"Leaderboard: the largest net inflows and outflows of the {period} to {longdate(d.as_of)}, "
                  "in $ million", draw)]
