"""Charts of a document's facts: SVG for the HTML page, PNG at twice the size for email.

Every chart draws only facts of the document (a fund's daily series in `FundFacts.charts`, its 52-week high
and low, a digest's leaderboard) and renders byte for byte the same from the same facts: matplotlib's Agg
and SVG backends with the bundled DejaVu font, glyphs drawn as paths, a fixed hash salt and id, fixed dots
per inch and no date, creator or software version in the files.
"""

from __future__ import annotations

from .figure import Chart
from .fund import fund_charts
from .digest import digest_charts


_RECENT: list[tuple[object, list[Chart]]] = []  # the last few documents' charts: each format draws them once


def charts_for(facts) -> list[Chart]:
    """The charts of a fund note's or a digest's facts (none for other kinds)."""
    from ..facts.models import DigestFacts, FundFacts

    for seen, charts in _RECENT:
        if seen is facts:
            return charts
    charts = (fund_charts(facts) if isinstance(facts, FundFacts) else
              digest_charts(facts) if isinstance(facts, DigestFacts) else [])
    _RECENT.insert(0, (facts, charts))
    del _RECENT[4:]
    return charts


__all__ = ["Chart", "charts_for", "digest_charts", "fund_charts"]
