"""Settings: every NOTEWRITER_* variable in one place, the user cache folder, and the rule thresholds.

Options on the command line win over environment variables, which win over the defaults here. The
library never reads the environment on its own below the CLI except through this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import UsageError

APP = "notewriter"


class Rules(BaseModel):
    """The thresholds and horizons the rules use; each is a configuration fact of every document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    range_weeks: int = Field(52, gt=0, description="weeks in the high-low range")
    adv_sessions: int = Field(20, gt=0, description="sessions in the average daily dollar volume")
    history_sessions: int = Field(252, gt=0, description="sessions of history a flow is ranked against")
    stress_pct: float = Field(0.02, gt=0, description="redemptions, as a share of the fund, that count as stress")
    stress_sessions: int = Field(10, gt=0, description="sessions the stress level is measured over")
    reversal_min_weeks: int = Field(2, gt=0, description="first forward horizon of the base rate, in weeks")
    reversal_max_weeks: int = Field(6, gt=0, description="last forward horizon of the base rate, in weeks")
    stale_after_sessions: int = Field(20, gt=0, description="a share count flat this long is flagged stale")
    max_components: int = Field(5, gt=0, description="holdings a note lists")
    leaderboard_size: int = Field(5, gt=0, description="funds on each side of the digest's leaderboard")
    # how the rules read the facts (recorded in every document's `rules`; not numbers a note states)
    flat_usd: float = Field(1e5, ge=0, description="a net flow that rounds to zero at this scale is no flow")
    flat_pct_of_aum: float = Field(0.00005, ge=0, description="a net flow under this share of assets is no flow")
    z_unusual: float = Field(2.0, gt=0, description="|z-score| from which a flow is unusual")
    z_elevated: float = Field(1.0, gt=0, description="|z-score| from which a flow is larger than usual")
    percentile_elevated: float = Field(90.0, gt=50, le=100, description="percentile in the flow's own direction from which it is larger than usual")
    percentile_unusual: float = Field(97.5, gt=50, le=100, description="percentile in the flow's own direction from which it is unusual")
    pct_unusual: float = Field(0.02, gt=0, description="flow as a share of assets that is unusual without a history")
    pct_elevated: float = Field(0.005, gt=0, description="flow as a share of assets that is elevated without a history")
    adv_material: float = Field(0.05, ge=0, description="multiple of daily dollar volume worth stating")
    adv_meaningful: float = Field(0.25, gt=0, description="multiple of daily dollar volume from which a flow is meaningful")
    adv_large: float = Field(1.0, gt=0, description="multiple of daily dollar volume from which a flow is large")
    stress_near: float = Field(0.75, gt=0, description="share of the stress level from which a fund is near it")
    stress_watch: float = Field(0.25, gt=0, description="share of the stress level from which a fund is worth watching")
    momentum_trend: float = Field(0.01, ge=0, description="one-month move beyond which the price trends")
    momentum_flat: float = Field(0.0005, ge=0, description="move under which price neither confirms nor contradicts a flow")
    base_rate_contrarian: float = Field(0.6, gt=0, le=1, description="reversal share from which history sides against the flow")
    base_rate_confirming: float = Field(0.4, ge=0, lt=1, description="reversal share up to which history sides with the flow")
    large_fund_usd: float = Field(1e10, gt=0, description="assets from which a fund competes on scale")
    min_streak: int = Field(3, gt=0, description="flow days in a row worth calling a run")
    at_high_tolerance: float = Field(0.0005, ge=0, description="distance from the 52-week high that still counts as at it")
    named_peers: int = Field(2, gt=0, description="peers a note names")
    named_components: int = Field(3, gt=0, description="holdings a sentence names")
    named_leaders: int = Field(2, gt=0, description="runners-up the digest names behind the leader")
    caveats: int = Field(2, gt=0, description="data caveats a risk section states")
    ytd_disagree: float = Field(0.25, gt=0, description="relative gap between estimated and vendor YTD flows that is flagged")
    max_share_jump: float = Field(5.0, gt=1, description="share-count ratio to the last count beyond which a count that is no split is left out")
    max_price_jump: float = Field(10.0, gt=1, description="one-session close ratio beyond which a fund's prices are refused")
    max_flow_share: float = Field(0.5, gt=0, description="flow as a share of assets beyond which a window's flow is withheld")
    leader_gap: float = Field(0.02, ge=0, description="gap between two funds' returns (a fraction) from which one is "
                              "called the leader and the other the laggard")
    total_return_gap: float = Field(0.0005, ge=0, description="gap between price and total return from which a note states both")
    base_rate_min_events: int = Field(5, gt=0, description="separate earlier episodes a base rate needs")
    base_rate_min_share: float = Field(0.001, ge=0, description="flow as a share of assets below which no base rate is drawn")
    base_rate_min_usd: float = Field(1e6, ge=0, description="1-2-5 threshold below which no base rate is drawn")
    info_grace_days: int = Field(4, ge=0, description="days after a note's date a fund-info snapshot may be fetched and still describe it")
    holdings_current_days: int = Field(7, ge=0, description="days old a holdings list may be before a note dates it")
    catalyst_days: int = Field(31, ge=0, description="calendar days after a note's date whose scheduled events it names")


class Settings(BaseSettings):
    """Every NOTEWRITER_* setting (see the README's configuration table)."""

    model_config = SettingsConfigDict(env_prefix="NOTEWRITER_", env_nested_delimiter="__", frozen=True,
                                      extra="ignore", env_ignore_empty=True)

    cache_dir: Path | None = Field(None, description="root of the user cache (llm/, yfinance/, columnar/, calendar/)")
    templates: Path | None = Field(None, description="template override folder")
    prompts_dir: Path | None = Field(None, description="prompt override folder")
    shared_dir: Path | None = Field(None, description="where `sentiment eval` finds data/sentiment")
    index_map: Path | None = Field(None, description="CSV (ticker,index) of funds on the same index, added to the shipped map")
    events: Path | None = Field(None, description="CSV (date,event,source) of scheduled events, added to the shipped calendar")
    track_store: Path | None = Field(None, description="track store whose record the Contrarian section cites")
    debug: bool = Field(False, description="show tracebacks for internal errors")
    yf_probe_url: str = Field("https://query2.finance.yahoo.com", description="where the reachability probe connects")
    rules: Rules = Field(default_factory=Rules)


class LLMSettings(BaseSettings):
    """Where the model is and how patiently to talk to it (NOTEWRITER_LLM_*, OPENAI_API_KEY, OPENAI_BASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="NOTEWRITER_LLM_", frozen=True, extra="forbid",
                                      populate_by_name=True, env_ignore_empty=True)

    enabled: bool = True
    model: str | None = None
    base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    api_key: str | None = Field(None, repr=False, validation_alias="OPENAI_API_KEY")
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0)
    backoff: float = Field(0.5, ge=0, description="first retry delay in seconds; doubles per retry")
    backoff_max: float = Field(8.0, ge=0, description="longest computed retry delay in seconds")
    max_concurrency: int = Field(4, ge=1, validation_alias="NOTEWRITER_LLM_CONCURRENCY",
                                 description="requests in flight per endpoint")
    temperature: float | None = None
    cache: bool = True
    cache_dir: Path | None = None
    prompts_dir: Path | None = Field(None, validation_alias="NOTEWRITER_PROMPTS_DIR")

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMSettings:
        """Settings from the environment; non-None overrides (CLI options) win."""
        return load(cls, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def endpoint(self) -> str:
        """The base URL requests go to."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")


DEFAULT_BASE_URL = "https://api.openai.com/v1"
_ENV_NAMES = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY", "max_concurrency": "NOTEWRITER_LLM_CONCURRENCY",
              "prompts_dir": "NOTEWRITER_PROMPTS_DIR"}
_BLANK = {"", None}


def load(cls: type[BaseSettings], **overrides: Any):
    """`cls(**overrides)` reading the environment, with a bad value reported as one usage line naming its
    variable; blank variables count as unset."""
    import os

    prefix = cls.model_config.get("env_prefix", "")
    try:
        return cls(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(part) for part in first["loc"]]
        field = loc[0] if loc else "settings"
        if field in overrides:
            raise UsageError(f"invalid setting {field}: {first['msg']}") from None
        name = _ENV_NAMES.get(field) or (prefix + "__".join(loc)).upper()
        raw = os.environ.get(name, "")
        raise UsageError(f"{name}={raw!r} is not valid: {first['msg'].lower()}") from None


def settings() -> Settings:
    """The NOTEWRITER_* settings as the environment has them now."""
    return load(Settings)


def user_cache_dir(kind: str | None = None) -> Path:
    """The user cache root (NOTEWRITER_CACHE_DIR, else the platform's user cache folder), or its `kind`
    subfolder: llm/, yfinance/, columnar/, calendar/."""
    root = settings().cache_dir
    if root is None:
        from platformdirs import user_cache_dir as platform_cache

        root = Path(platform_cache(APP, appauthor=False))
    root = Path(root).expanduser()
    return root / kind if kind else root
