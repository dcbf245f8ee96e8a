"""The fund note: one fund's flow, read through its market structure, peers, risks and history."""

from __future__ import annotations

from ..calls import fund_calls
from ..claims import Claim, wrap, tree
from ..config import Rules
from ..facts.models import WINDOW_WORDS, FundFacts
from ..render import FILTERS, Markdown, md_escape, pick
from ..sentiment import score_note
from ..verdicts import fund_verdicts
from .base import Kind, register

SECTIONS: tuple[tuple[str, str], ...] = (
    ("lede", "Summary"),
    ("market_structure", "Market structure"),
    ("competitive_dynamics", "Competitive dynamics"),
    ("risk_assessment", "Risk assessment"),
    ("time_horizons", "Time horizons"),
    ("key_catalysts", "Key catalysts"),
    ("trade_implications", "Trade implications"),
    ("contrarian_angle", "Contrarian angle"),
)
SECTION_KEYS = tuple(k for k, _ in SECTIONS)

_SECTOR_NAMES = {"realestate": "real estate", "consumer_cyclical": "consumer cyclicals",
                 "basic_materials": "basic materials", "consumer_defensive": "consumer staples",
                 "technology": "technology", "communication_services": "communication services",
                 "financial_services": "financials", "utilities": "utilities", "industrials": "industrials",
                 "energy": "energy", "healthcare": "health care"}
_FIXED_INCOME = ("bond", "treasury", "government", "aggregate", "credit", "income")
_SHOWN = {"date": "longdate", "count": "integer"}
# What a fund's basket is made of, by asset class: its parts, the hard-to-trade ones (two wordings), and
# "the" parts.
_PARTS = {"equity": ("component", "thinly traded components", "its less liquid components", "the components"),
          "fixed income": ("bond", "the less liquid bonds it holds", "its less liquid bonds", "the bonds it holds"),
          "commodity": ("underlying", "the underlying market", "the underlying market", "the underlying market"),
          "digital assets": ("underlying", "the underlying market", "the underlying market",
                             "the underlying market")}
# Flags a section's caveat does not repeat: the note's first sentence already says so.
_SAID_IN_LEDE = {"no_flow_data"}


def _shown(fact) -> str:
    """The filter that prints a flag's number: a multiple ("more than 5 times") as a whole number when it is
    one, else with one decimal."""
    if fact.kind == "ratio":
        return "integer" if float(fact.value).is_integer() else "num"
    return _SHOWN[fact.kind]


def messages(flags, path: str, claims: dict[str, Claim]) -> list[Markdown]:
    """Quality messages with each number and date printed from its claim, as Markdown (the words, which may
    name files and funds, escaped as text)."""
    out = []
    for i, q in enumerate(flags):
        if not q.template:
            out.append(md_escape(q.message))
            continue
        shown = {name: FILTERS[_shown(fact)](claims[f"{path}[{i}].facts[{j}]"])
                 for j, (name, fact) in enumerate(zip(q.names, q.facts))}
        out.append(Markdown(md_escape(q.template).format(**shown)))
    return out


# What a note calls each scheduled event, and the asset classes it matters to (None: every class).
_EVENT_WORDS = {"options_expiry": ("the monthly options expiry", None),
                "sp_rebalance": ("the S&P quarterly index rebalance", ("equity",)),
                "russell_reconstitution": ("the Russell index reconstitution", ("equity",)),
                "fomc": ("the FOMC rate decision", None)}


def scheduled(dates, D, asset_class: str, share_counts: bool = True) -> list[dict]:
    """The dated events a note names, in date order, those falling on one day named together: the next
    share-count update, the month-end rebalance (named quarter-end or year-end when it is one), the
    quarter-end, and the events of notewriter/reference that matter to the asset class."""
    items: list[tuple[str, int, str, object]] = []   # (iso date, order, words, date claim)
    if share_counts:
        items.append((dates.next_session.value, 0, "the next issuer share-count update", D.next_session))
    month, quarter = dates.month_end.value, dates.quarter_end.value
    end_words = ("the month-end rebalance" if month != quarter else
                 "the year-end rebalance" if month[5:7] == "12" else "the quarter-end rebalance")
    items.append((month, 1, end_words, D.month_end))
    if quarter != month:
        items.append((quarter, 2, "quarter-end", D.quarter_end))
    for i, ev in enumerate(dates.events):
        words, classes = _EVENT_WORDS[ev.kind]
        if classes is None or asset_class in classes:
            items.append((ev.date.value, 3 + i, words, D.events[i].date))
    out: list[dict] = []
    for day, _, words, claim in sorted(items, key=lambda x: (x[0], x[1])):
        if out and out[-1]["day"] == day:
            out[-1]["what"] += " and " + words.removeprefix("the ")
        else:
            out.append({"day": day, "what": words, "date": claim})
    return out


def period_phrase(window: str, end: str, *seed) -> Markdown:
    """ "in the week to October 31, 2025", Markdown: `end` is a date printed from its claim."""
    return Markdown({"1d": f"on {end}", "1w": pick(["this week", f"in the week to {end}"], *seed, "period"),
                     "1m": f"in the month to {end}", "ytd": f"so far this year, to {end}"}[window])


def fund_context(f: FundFacts, claims: dict[str, Claim], rules: Rules, path: str = "") -> dict:
    """Template variables of a fund note: the facts as claims (`f`), the verdicts (`c`), and named lists."""
    F = tree(f, claims, path)
    at = f"{path}." if path else ""
    c = fund_verdicts(f, rules)
    k = rules.named_components
    moved_i = [i for i, comp in enumerate(f.components) if comp.day_change is not None][:k]
    comp = lambda i: wrap(f.components[i], f"{at}components[{i}]", claims)  # noqa: E731
    up = sorted((i for i in moved_i if f.components[i].day_change.num > 0), key=lambda i: -f.components[i].day_change.num)
    down = sorted((i for i in moved_i if f.components[i].day_change.num < 0), key=lambda i: f.components[i].day_change.num)
    peers = [wrap(p, f"{at}peers[{i}]", claims) for i, p in enumerate(f.peers)]
    opposite = [p for p, raw in zip(peers, f.peers) if raw.opposite and not raw.same_index][:rules.named_peers]
    switch = [p for p, raw in zip(peers, f.peers) if raw.opposite and raw.same_index][:rules.named_peers]
    same = [p for p, raw in zip(peers, f.peers) if not raw.opposite][:rules.named_peers]
    category = f.identity.category
    quality = messages(f.quality, f"{at}quality", claims)
    end = FILTERS["longdate"](F.flow.end)
    return {
        "f": F, "c": c, "T": f.ticker, "name": f.identity.name, "seed": f"{f.ticker}|{f.as_of}|{f.window}",
        "period": period_phrase(f.window, end, f.ticker, f.as_of),
        "window_noun": WINDOW_WORDS[f.window] if f.window != "ytd" else "year",
        "window_adj": {"1d": "one-day", "1w": "weekly", "1m": "monthly", "ytd": "year-to-date"}[f.window],
        "window_plural": {"1d": "sessions", "1w": "weeks", "1m": "months", "ytd": "years"}[f.window],
        "moved": [comp(i) for i in moved_i],
        "top_up": comp(up[0]) if up else None, "top_down": comp(down[0]) if down else None,
        "top_components": [comp(i) for i in range(min(k, len(f.components)))],
        "lead_component": comp(0) if f.components else None,
        "paid": [comp(i) for i, x in enumerate(f.components) if x.flow_usd is not None][:k],
        "opposite": opposite, "same": same, "switch": switch,
        "track_phrase": "they all track" if len(switch) > 1 else "both track",
        "category_phrase": f"the {category} category" if category else "its category",
        "sector_names": _SECTOR_NAMES,
        "fixed_income": any(w in (category or "").lower() for w in _FIXED_INCOME),
        "quality": quality,
        "scheduled": scheduled(f.dates, F.dates, c.asset_class, f.flow.method == "shares x nav"),
        "caveats": [m for m, q in zip(quality, f.quality)
                    if q.touches_numbers and q.code not in _SAID_IN_LEDE][:rules.caveats],
        "parts": _PARTS[c.asset_class][0], "thin_parts": _PARTS[c.asset_class][1],
        "less_liquid": _PARTS[c.asset_class][2], "the_parts": _PARTS[c.asset_class][3],
    }


def _title(f: FundFacts, ctx: dict) -> Markdown:
    """The title as Markdown: its numbers printed from their claims, the ticker escaped as text."""
    c, F = ctx["c"], ctx["f"]
    ticker = md_escape(f.ticker)
    end = FILTERS["longdate"](F.flow.end)
    span = {"1d": f"on {end}", "1w": f"in the week to {end}", "1m": f"in the month to {end}",
            "ytd": f"in the year to {end}"}[f.window]
    if c.moving:
        est = "estimated " if f.flow.method == "shares x nav" else "vendor-reported "
        return Markdown(f"{ticker}: {est}{FILTERS['usd'](F.flow.net_usd)} net {c.direction} {span}")
    if c.direction == "flat":
        return Markdown(f"{ticker}: no net flows {span}")
    return Markdown(f"{ticker}: price and positioning {span}")


FUND = register(Kind(
    name="fund", sections=SECTIONS, template="sections/{key}.md.j2", layout="note.md.j2", footer="footer.md.j2",
    context=fund_context, title=_title, sentiment=score_note, subjects=lambda f: (f.ticker,),
    default_ticker=lambda f: f.ticker, calls=fund_calls, boxes=(("key_figures", "key_figures.md.j2"),)))

__all__ = ["FUND", "SECTIONS", "SECTION_KEYS", "fund_context", "messages", "period_phrase"]
