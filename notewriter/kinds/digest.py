"""The daily flows digest: the leaderboard, the headline rotation, its historical analog, and what they mean."""

from __future__ import annotations

from ..claims import Claim, tree
from ..config import Rules
from ..facts.models import WINDOW_WORDS, DigestFacts
from ..render import FILTERS, Markdown, md_escape
from ..sentiment import Sentiment, blend, facts_signals
from ..verdicts import digest_verdicts
from .base import Kind, register
from .fund import SECTIONS as FUND_SECTIONS
from .fund import messages, scheduled

SECTIONS = (("lede", "Summary"), ("leaderboard", "Leaderboard"), ("rotation", "The rotation"),
            ("analog", "Last time")) + FUND_SECTIONS[1:]


def digest_context(d: DigestFacts, claims: dict[str, Claim], rules: Rules) -> dict:
    D = tree(d, claims)
    end = FILTERS["longdate"](D.end)
    ctx: dict = {
        "d": D, "v": digest_verdicts(d, rules), "r": D.rotation, "seed": f"digest|{d.as_of}|{d.window}",
        "window_noun": WINDOW_WORDS[d.window],
        "period": Markdown({"1d": f"on {end}", "1w": f"in the week to {end}",
                            "1m": f"in the month to {end}"}[d.window]),
        "top_inflow": D.inflows[0] if d.inflows else None, "top_outflow": D.outflows[0] if d.outflows else None,
        "runners_up": list(D.inflows[1:1 + rules.named_leaders]), "further": list(D.rotations[1:]),
        "quality": messages(d.quality, "quality", claims), "caveats": [],
        "scheduled": scheduled(d.dates, D.dates, "equity"),
    }
    if len(d.notes) == 2:
        ctx["fi"], ctx["fo"] = D.notes
        caveats = []
        for i, note in enumerate(d.notes):
            shown = messages(note.quality, f"notes[{i}].quality", claims)
            caveats += [m for m, q in zip(shown, note.quality) if q.touches_numbers]
        ctx["caveats"] = caveats[:rules.caveats]
    return ctx


def _sentiment(d: DigestFacts, text: str) -> Sentiment:
    """Facts signal of the headline pair and the text signal, per leaderboard ticker the text mentions."""
    signals = {f.ticker: facts_signals(f)[f.ticker] for f in d.notes}
    facts_overall = sum(signals.values()) / len(signals) if signals else 0.0
    names = {r.ticker: () for r in d.inflows + d.outflows}
    return blend(text, facts_overall, signals, names)


def _title(d: DigestFacts, ctx: dict) -> Markdown:
    """The title as Markdown: the date printed from its claim, the tickers escaped as text."""
    end = FILTERS["longdate"](ctx["d"].end)
    span = {"1d": f"on {end}", "1w": f"in the week to {end}", "1m": f"in the month to {end}"}[d.window]
    if d.rotation:
        inflow, outflow = md_escape(d.rotation.inflow.ticker), md_escape(d.rotation.outflow.ticker)
        return Markdown(f"ETF flows {span}: {inflow} in, {outflow} out")
    return Markdown(f"ETF flows {span}")


def _subjects(d: DigestFacts) -> tuple[str, ...]:
    out: list[str] = []
    for row in d.inflows + d.outflows:
        if row.ticker not in out:
            out.append(row.ticker)
    return tuple(out)


DIGEST = register(Kind(
    name="digest", sections=SECTIONS, template="digest_{key}.md.j2", layout="digest.md.j2",
    footer="digest_footer.md.j2", context=digest_context, title=_title, sentiment=_sentiment,
    subjects=_subjects, default_ticker=lambda d: None, tables=frozenset({"leaderboard"}),
    digits={"flow.adv_days": 2}))

__all__ = ["DIGEST", "SECTIONS", "digest_context"]
