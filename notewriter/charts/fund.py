"""A fund note's charts: a year of closes with the moving average and the 52-week range, and three months of
daily flows with the share count."""

from __future__ import annotations

from pathlib import PurePath

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..facts.models import FundFacts
from ..render import longdate, price
from .figure import (AVERAGE, INFLOW, INK, MARK, MUTED, OUT_HATCH, OUTFLOW, PRICE, SHARES, Chart, axes_rect, frame,
                     is_narrow, tick)

MILLION = 1e6
BILLION = 1e9


def short_source(path: str) -> str:
    """A source file named by its folder and name (prices/IJR.csv), not by where it sits on one machine."""
    parts = PurePath(path).parts
    return "/".join(parts[-2:]) if len(parts) > 1 else path


def source_line(facts, *paths: str) -> str:
    files = ", ".join(dict.fromkeys(short_source(p) for p in paths if p))
    return f"Source: {facts.data_label}" + (f" ({files})" if files else "") + f"; as of {longdate(facts.as_of)}."


def _dates_axis(ax) -> None:
    locator = AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))


def _price_chart(f: FundFacts) -> Chart:
    c = f.charts
    T = f.ticker

    def draw(fig: Figure) -> None:
        ax = fig.add_axes(axes_rect(fig))
        closes = c.closes.points()
        ax.plot([d for d, _ in closes], [v for _, v in closes], color=PRICE, linewidth=1.3, label="Close")
        avg = c.ma.points()
        if avg:
            ax.plot([d for d, _ in avg], [v for _, v in avg], color=AVERAGE, linewidth=1.1, linestyle=(0, (5, 2)),
                    label=f"{c.ma_sessions}-session average")
        for fact, word, va in ((f.price.high_52w, "52-week high", "bottom"), (f.price.low_52w, "52-week low", "top")):
            if fact is not None:
                ax.axhline(fact.num, color=MARK, linewidth=0.8, linestyle=":")
                ax.annotate(f"{word} {price(fact)}", (0.005, fact.num), xycoords=("axes fraction", "data"),
                            fontsize=7, color=MARK, va=va, ha="left",
                            xytext=(0, 2 if va == "bottom" else -2), textcoords="offset points")
        last_d, last_v = closes[-1]
        ax.axvline(last_d, color=MARK, linewidth=0.7)
        ax.plot([last_d], [last_v], marker="o", markersize=4, color=PRICE)
        ax.annotate(f"{longdate(f.price.last_date)}\n{price(f.price.last)}", (last_d, last_v), fontsize=7,
                    color=INK, ha="right", va="center", xytext=(-7, 0), textcoords="offset points",
                    bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        lo = min(v for _, v in closes + avg)
        hi = max(v for _, v in closes + avg)
        for fact in (f.price.high_52w, f.price.low_52w):
            if fact is not None:
                lo, hi = min(lo, fact.num), max(hi, fact.num)
        pad = (hi - lo) * 0.08 or 1.0
        ax.set_ylim(lo - pad, hi + pad)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "$")))
        ax.set_ylabel("Price ($ per share)")
        _dates_axis(ax)
        ax.margins(x=0.01)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.2)
        frame(fig, f"{T}: closing price, 52 weeks to {longdate(f.as_of)}", source_line(f, c.closes.source))

    return Chart("price", f"{T.lower()}-price",
                 f"{T} closing price over the 52 weeks to {longdate(f.as_of)}, with its {c.ma_sessions}-session "
                 "average and the 52-week high and low", draw)


def _edge(colour: str, hatch: str | None, hollow: bool) -> str:
    """A hatch is drawn in the edge colour: white on a filled bar, the bar's colour on a hollow one."""
    return "white" if hatch and not hollow else colour


def _bars(ax, series, width: float, align: str, hollow: bool, scale: float = MILLION) -> None:
    pts = series.points()
    for sign, colour, hatch in ((1, INFLOW, None), (-1, OUTFLOW, OUT_HATCH)):
        chosen = [(d, v) for d, v in pts if v * sign > 0]
        if not chosen:
            continue
        x = [d for d, _ in chosen]
        ax.bar(x, [v / scale for _, v in chosen], width=width, align=align,
               color="white" if hollow else colour, edgecolor=_edge(colour, hatch, hollow),
               linewidth=0.8 if hollow else 0.3,
               hatch=hatch)


def _flows_chart(f: FundFacts) -> Chart | None:
    c = f.charts
    T = f.ticker
    flows = [s for s in (c.flows_est, c.flows_vendor) if s is not None]
    if not flows:
        return None
    both = len(flows) == 2
    # dollars in billions when a day's flow reaches one (tick labels like "15,000" would push the axis title
    # off the chart), else in millions
    peak = max((abs(v) for s in flows for _, v in s.points()), default=0.0)
    scale, unit = (BILLION, "$ billion") if peak >= BILLION else (MILLION, "$ million")

    def draw(fig: Figure) -> None:
        entries = 2 * len(flows) + (c.shares is not None)
        ax = fig.add_axes(axes_rect(fig, c.shares is not None, (entries + 1) // 2 if is_narrow(fig) else 2))
        if both:  # side by side: the estimate filled, the vendor's figure hollow
            _bars(ax, c.flows_est, -0.42, "edge", False, scale)
            _bars(ax, c.flows_vendor, 0.42, "edge", True, scale)
        else:
            _bars(ax, flows[0], 0.8, "center", flows[0] is c.flows_vendor, scale)
        ax.axhline(0, color=MUTED, linewidth=0.8)
        ax.set_ylabel(f"Net flow ({unit})")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v)))
        _dates_axis(ax)
        handles = []
        for s in flows:
            hollow = s is c.flows_vendor
            what = "estimated" if s is c.flows_est else "vendor"
            handles += [Patch(facecolor="white" if hollow else INFLOW, edgecolor=INFLOW, label=f"Inflow ({what})"),
                        Patch(facecolor="white" if hollow else OUTFLOW, edgecolor=_edge(OUTFLOW, OUT_HATCH, hollow),
                              hatch=OUT_HATCH,
                              label=f"Outflow ({what})")]
        if c.shares is not None:
            ax2 = ax.twinx()
            pts = c.shares.points()
            line, = ax2.plot([d for d, _ in pts], [v / MILLION for _, v in pts], color=SHARES, linewidth=1.2,
                             drawstyle="steps-post",
                             label="Shares (right)" if is_narrow(fig) else "Shares outstanding (right)")
            ax2.set_ylabel("Shares outstanding (million)")
            ax2.grid(False)
            ax2.spines["right"].set_visible(True)
            ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v)))
            handles.append(line)
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2 if is_narrow(fig) else 3,
                  borderaxespad=0.2)
        ax.margins(x=0.01)
        frame(fig, f"{T}: daily flows" + (" and shares outstanding" if c.shares is not None else "")
              + f" to {longdate(f.as_of)}", source_line(f, *(s.source for s in flows)))

    kinds = " and ".join(("estimated" if s is c.flows_est else "vendor-reported") for s in flows)
    return Chart("flows", f"{T.lower()}-flows",
                 f"{T} daily {kinds} flows in {unit} over the last three months to {longdate(f.as_of)}"
                 + (", with shares outstanding" if c.shares is not None else ""), draw)


def fund_charts(f: FundFacts) -> list[Chart]:
    """The price chart, and the flows chart when the fund has daily flows."""
    if f.charts is None or not f.charts.closes.points():
        return []
    return [ch for ch in (_price_chart(f), _flows_chart(f)) if ch is not None]
