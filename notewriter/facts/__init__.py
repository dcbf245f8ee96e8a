"""Facts: the structured, frozen, provenance-carrying input of every note."""

from ..config import Rules
from .arrays import round_down_125
from .build import build_facts, window_start
from .models import Fact, FundFacts

__all__ = ["Fact", "FundFacts", "Rules", "build_facts", "round_down_125", "window_start"]
