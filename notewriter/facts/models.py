"""Frozen facts: every number a note may state, each with its provenance."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["usd", "pct", "shares", "price", "ratio", "count", "date", "zscore", "score"]
Window = Literal["1d", "1w", "1m", "ytd"]

WINDOW_WORDS = {"1d": "day", "1w": "week", "1m": "month", "ytd": "year to date"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fact(Frozen):
    """One number (or date) with where it came from.

    `change` marks signed movements (flows, returns, share changes): prose stating them must
    use direction words that agree with the sign.
    """

    value: float | int | str
    kind: Kind
    ticker: str | None = None
    source: str
    as_of: date | None = None
    inputs: tuple[str, ...] = ()
    change: bool = False
    basis: str | None = None

    @property
    def num(self) -> float:
        return float(self.value)


class Identity(Frozen):
    ticker: str
    name: str
    category: str | None = None
    family: str | None = None
    expense_ratio: Fact | None = None


class Flow(Frozen):
    """Net flow over the window, estimated from shares x NAV and/or reported by a vendor."""

    window: Window
    start: Fact
    end: Fact
    method: Literal["shares x nav", "vendor", "unavailable"]
    net_usd: Fact | None = None
    price_basis: Literal["nav", "close", "nav and close"] | None = None
    shares_start: Fact | None = None
    shares_end: Fact | None = None
    shares_change: Fact | None = None
    shares_change_pct: Fact | None = None
    split_ratio: Fact | None = None
    vendor_net_usd: Fact | None = None
    vendor_days: Fact | None = None
    aum_usd: Fact | None = None
    pct_of_aum: Fact | None = None
    adv_days: Fact | None = None
    sessions: Fact | None = None
    flow_days: Fact | None = None


class History(Frozen):
    """How this window's flow compares with the fund's own trailing year of windows."""

    zscore: Fact | None = None
    percentile: Fact | None = None
    lookback_windows: Fact | None = None
    largest_same_sign: bool = False
    cum_10d_usd: Fact | None = None
    cum_10d_pct: Fact | None = None
    stress_gap_pct: Fact | None = None
    streak_days: Fact | None = None
    ytd_usd: Fact | None = None
    ytd_since: Fact | None = None       # where a "year-to-date" sum starts when its series begins after Jan 1
    ytd_other_usd: Fact | None = None   # the other basis (vendor or estimated) for the same year, when it disagrees
    m1_usd: Fact | None = None
    m3_usd: Fact | None = None
    realized_vol: Fact | None = None
    momentum_1m: Fact | None = None
    momentum_3m: Fact | None = None
    base_rate: "BaseRate | None" = None


class BaseRate(Frozen):
    """After earlier flows at least this large (same sign), what did the price do next."""

    threshold_usd: Fact
    events: Fact
    reversals: Fact
    reversal_share: Fact
    median_fwd_2w: Fact | None = None
    median_fwd_6w: Fact | None = None


class TrackRecord(Frozen):
    """How the price went after the earlier large flows this fund (or its category) had in the same direction,
    as the track record scored them by the note's date: the calls these notes made, not a backtest."""

    scope: Literal["fund", "category"]
    direction: Literal["inflow", "outflow"]
    since: Fact             # the date of the first call counted
    horizon_sessions: Fact  # sessions after each call the price was read
    cases: Fact             # calls counted (horizons not overlapping)
    reversals: Fact         # of them, the price moved against the flow
    reversal_share: Fact


class Price(Frozen):
    last: Fact
    last_date: Fact
    day_change: Fact | None = None
    window_change: Fact | None = None
    low_52w: Fact | None = None
    high_52w: Fact | None = None
    ytd_return: Fact | None = None
    ytd_total_return: Fact | None = None  # from adjusted closes (dividends reinvested)
    adv_usd: Fact | None = None
    off_high_pct: Fact | None = None


class Component(Frozen):
    ticker: str
    name: str
    weight: Fact | None = None
    last: Fact | None = None
    day_change: Fact | None = None
    window_change: Fact | None = None
    flow_usd: Fact | None = None


class QualityFlag(Frozen):
    """A data-quality finding; `facts` holds every number or date its message states."""

    code: str
    message: str
    touches_numbers: bool = False
    facts: tuple[Fact, ...] = ()
    # the message with a {name} for each fact, in the order of `facts` (kept out of the facts document)
    template: str = Field("", exclude=True)
    names: tuple[str, ...] = Field((), exclude=True)


class Peer(Frozen):
    """Another fund in the same category and its flow over the same window."""

    ticker: str
    name: str
    net_usd: Fact
    opposite: bool
    same_index: bool = False  # tracks the same index (or holds the same underlying) as the note's fund
    vendor_days: Fact | None = None  # sessions a vendor figure covers, when fewer than the window's


class Event(Frozen):
    """A scheduled market event (notewriter/reference: events.csv and the standing rules)."""

    kind: str    # options_expiry, sp_rebalance, russell_reconstitution or fomc
    date: Fact


class Dates(Frozen):
    """Calendar facts a note may cite as scheduled events."""

    next_session: Fact
    month_end: Fact
    quarter_end: Fact
    events: tuple[Event, ...] = ()  # between the next session and Rules.catalyst_days after the note's date


class Config(Frozen):
    """Thresholds and horizons the rules use: stated in notes, so facts too."""

    range_weeks: Fact
    adv_sessions: Fact
    history_sessions: Fact
    stress_pct: Fact
    stress_sessions: Fact
    reversal_min_weeks: Fact
    reversal_max_weeks: Fact
    stale_after_sessions: Fact | None = None
    leaderboard_size: Fact | None = None


MA_SESSIONS = 200  # the moving average a fund chart draws over the closes


class DailySeries(Frozen):
    """One value per session (None where the source has none on that session)."""

    name: str
    unit: str            # "price", "usd" or "shares"
    source: str
    dates: tuple[date, ...]
    values: tuple[float | None, ...]

    def points(self) -> list[tuple[date, float]]:
        """The sessions that have a value."""
        return [(d, v) for d, v in zip(self.dates, self.values) if v is not None]


class ChartSeries(Frozen):
    """What a fund note's charts draw, besides the price facts (52-week high and low) they mark."""

    closes: DailySeries                      # the 52 weeks ending the note's date, in today's share basis
    ma: DailySeries                          # the MA_SESSIONS-session average of the closes, where defined
    ma_sessions: int = MA_SESSIONS
    flows_est: DailySeries | None = None     # (shares[t] - shares[t-1]) x NAV[t], on sessions with a count
    flows_vendor: DailySeries | None = None  # vendor-reported, on sessions with a row
    shares: DailySeries | None = None        # shares outstanding, on sessions with a count


class FundFacts(Frozen):
    ticker: str
    as_of: date
    window: Window
    identity: Identity
    flow: Flow
    price: Price
    history: History
    components: tuple[Component, ...] = ()
    sectors: tuple[tuple[str, Fact], ...] = ()
    peers: tuple[Peer, ...] = ()
    quality: tuple[QualityFlag, ...] = ()
    config: Config
    dates: Dates
    data_label: str
    synthetic: bool = False
    holdings_as_of: Fact | None = None  # the date the listed components are as of, when the source says
    holdings_undated: bool = False      # components from a holdings file that does not say its date
    tracks: str | None = None           # the index it shares with other funds (notewriter/reference/same_index.csv)
    category_net_usd: Fact | None = None  # the whole category's net flow over the window, this fund included
    category_funds: Fact | None = None    # funds of the category with a flow figure for the window
    track_record: TrackRecord | None = None  # the scored record of earlier calls like this one (with a track store)
    # the daily series the charts draw (facts/series.py); not in the JSON facts document, see there
    charts: ChartSeries | None = Field(None, exclude=True)


class LeaderRow(Frozen):
    """One fund on the leaderboard: its rank among inflows (or outflows) and its net flow."""

    ticker: str
    name: str
    category: str | None = None
    rank: Fact
    net_usd: Fact


class ForwardReturn(Frozen):
    """Price return from an analog date's close to a later close (`horizon`: year_end, 1m or 3m)."""

    horizon: Literal["year_end", "1m", "3m"]
    end: Fact
    ret: Fact


class AnalogSide(Frozen):
    ticker: str
    threshold_usd: Fact
    flow_usd: Fact
    returns: tuple[ForwardReturn, ...] = ()

    def ret(self, horizon: str) -> ForwardReturn | None:
        return next((r for r in self.returns if r.horizon == horizon), None)


class Analog(Frozen):
    """The most recent earlier day (or window) when A took in at least its threshold and B lost at least its own."""

    date: Fact
    inflow: AnalogSide
    outflow: AnalogSide


class RotationSide(Frozen):
    ticker: str
    name: str
    net_usd: Fact
    ytd_return: Fact | None = None
    ytd_flows_usd: Fact | None = None


class Rotation(Frozen):
    """A fund with a large inflow against a fund with a large outflow over the same window."""

    inflow: RotationSide
    outflow: RotationSide
    threshold_in: Fact
    threshold_out: Fact
    analog: Analog | None = None
    searched_from: Fact | None = None


class DigestFacts(Frozen):
    as_of: date
    window: Window
    start: Fact
    end: Fact
    funds: Fact
    funds_with_flows: Fact
    inflows: tuple[LeaderRow, ...] = ()
    outflows: tuple[LeaderRow, ...] = ()
    rotation: Rotation | None = None
    rotations: tuple[Rotation, ...] = ()
    notes: tuple[FundFacts, ...] = ()
    quality: tuple[QualityFlag, ...] = ()
    config: Config
    dates: Dates
    data_label: str
    synthetic: bool = False


History.model_rebuild()
