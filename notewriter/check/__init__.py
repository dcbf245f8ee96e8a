"""The fact-checker: every number in a note must state a fact, about the right ticker, in the right direction.

A note (our own Markdown, HTML or text output, or an editor's edit of it) is checked against a facts
document (what `notewriter facts` prints). For each number in the prose the checker

1. reads it: money ("$399.4 million", "$399.4m", "$1.5bn", "USD 250 thousand"), percentages ("0.6%",
   "+1.5%", "0.6 percent", "60 bps"), share counts ("649,550,000", "3.9 million shares"), prices
   ("$101.23"), dates ("2024-05-06", "May 6, 2024", "Nov. 15, 2024", "6 May 2024", "May 6", "10/31/2025"),
   counts, ordinals ("8th"), z-scores and ratios ("0.7 times", "0.7x"), with the rounding the text shows
   (hedges such as "about $400 million" widen it to the rounding a round number implies; "more than" /
   "less than" state bounds);
2. finds the ticker it is about: a parenthetical it sits in ("(JXN +3.2%)"), else the last ticker or
   fund/holding name earlier in its comma/clause segment, else the first later in the segment, else the
   sentence, else the note's own fund;
3. reads the direction word that governs it (the nearest of inflow/outflow, rose/fell, gained/lost,
   creations/redemptions, up/down, took in/shed, ... in its clause);
4. accepts it only when a fact of a compatible kind, about that ticker (facts without a ticker, such as
   configuration and calendar facts, are about any), has that value within the rounding shown and, for
   facts flagged `change`, the sign the direction word (or an explicit sign) states.

Each finding carries the span, the matched fact path or the reason none matched.
"""

from __future__ import annotations

from .checker import check_note, check_text, section_checker
from .index import FactIndex, FactRef, collect_facts
from .numbers import extract_numbers
from .report import CheckReport, Finding

__all__ = ["CheckReport", "FactIndex", "FactRef", "Finding", "check_note", "check_text", "collect_facts",
           "extract_numbers", "section_checker"]
