"""notewriter: checked market notes from ETF flow and price data."""

from .check import check_note
from .errors import CheckFailed, DataError, NotewriterError, SourceUnavailable, UsageError
from .facts import Fact, FundFacts, Rules, build_facts
from .compose import compose
from .document import Document
from .pipeline import fund_facts, open_source, write_digest, write_note
from .publish import render_as
from .sources.base import Source
from .sources.local import DataDirSource

__all__ = [
    "CheckFailed", "DataDirSource", "DataError", "Document", "Fact", "FundFacts", "NotewriterError", "Rules", "Source",
    "SourceUnavailable", "UsageError", "build_facts", "check_note", "compose", "fund_facts", "open_source",
    "render_as", "write_digest", "write_note",
]
