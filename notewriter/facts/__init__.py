"""Facts: the structured, frozen, provenance-carrying input of every note."""

from .build import Settings, build_facts, round_down_125, window_start
from .models import Fact, FundFacts

__all__ = ["Fact", "FundFacts", "Settings", "build_facts", "round_down_125", "window_start"]
