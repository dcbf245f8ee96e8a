"""The finance sentiment lexicon: direction words, metrics, polar words, phrases, negators and intensifiers.

Direction words pair with the metric they apply to ("profit rose" is good, "losses rose" is bad,
"outflows accelerated" is bad); ETF-flow vocabulary ("net outflow", "unit destruction", "creations")
is here too. `features` reads these tables; the shipped model weights depend on them.
"""

from __future__ import annotations

# Bump whenever the lexicon or its features change: the shipped weights depend on them.
LEXICON_VERSION = 3


def _forms(*stems: str) -> set[str]:
    """Expand 'rise|rises|rose' style groups into a set."""
    out: set[str] = set()
    for s in stems:
        out.update(s.split("|"))
    return out


# Direction words: +1 means "went up / got bigger", -1 "went down / got smaller".
_UP = _forms(
    "rise|rises|rose|risen|rising",
    "jump|jumps|jumped|jumping",
    "surge|surges|surged|surging",
    "soar|soars|soared|soaring",
    "climb|climbs|climbed|climbing",
    "gained|gaining",
    "increase|increases|increased|increasing",
    "grow|grows|grew|grown|growing",
    "accelerate|accelerates|accelerated|accelerating",
    "widen|widens|widened|widening",
    "expand|expands|expanded|expanding",
    "higher|up|upward|upwards",
    "boost|boosts|boosted|boosting",
    "double|doubles|doubled|triple|tripled",
    "spike|spikes|spiked|spiking",
    "swell|swells|swelled|swelling",
    "raise|raises|raised|raising",
    "lift|lifts|lifted|lifting",
    "hike|hikes|hiked",
    "advance|advances|advanced|advancing",
    "balloon|balloons|ballooned|mounting|mounted",
    "exceed|exceeds|exceeded|outpaced",
    "rebound|rebounds|rebounded|rebounding",
    "recover|recovers|recovered|recovering",
    "extend|extends|extended",
    "pick|picked",  # "picked up"
    "ramp|ramped",
    "build|builds|building",
    "deepen|deepens|deepened|deepening|intensify|intensifies|intensified|intensifying",
    "picked_up|ramped_up|shot_up|went_up|sped_up|stepped_up|built_up",
)
_DOWN = _forms(
    "fall|falls|fell|fallen|falling",
    "drop|drops|dropped|dropping",
    "decline|declines|declined|declining",
    "slump|slumps|slumped|slumping",
    "plunge|plunges|plunged|plunging",
    "plummet|plummets|plummeted|plummeting",
    "sink|sinks|sank|sunk|sinking",
    "decrease|decreases|decreased|decreasing",
    "shrink|shrinks|shrank|shrunk|shrinking",
    "slow|slows|slowed|slowing",
    "decelerate|decelerates|decelerated|decelerating",
    "ease|eases|eased|easing",
    "lower|lowers|lowered|down|downward|downwards",
    "cut|cuts|cutting",
    "tumble|tumbles|tumbled|tumbling",
    "slide|slides|slid|sliding",
    "narrow|narrows|narrowed|narrowing",
    "contract|contracts|contracted|contracting",
    "dip|dips|dipped|dipping",
    "retreat|retreats|retreated|retreating",
    "slip|slips|slipped|slipping",
    "halve|halves|halved",
    "reduce|reduces|reduced|reducing",
    "trim|trims|trimmed|trimming",
    "shed|sheds|shedding",
    "erode|erodes|eroded|eroding",
    "dwindle|dwindles|dwindled|dwindling",
    "slash|slashes|slashed|slashing",
    "crater|craters|cratered",
    "tank|tanks|tanked|tanking",
    "collapse|collapses|collapsed|collapsing",
    "evaporate|evaporated|evaporating",
    "shrinking|subside|subsided|subsides",
    "fade|fades|faded|fading",
    "dried_up|went_down|slowed_down|wound_down|pulled_back|pullback|abate|abated|abates",
)

# Metrics: +1 when "up" is good for the holder (profit, inflows, price),
# -1 when "up" is bad (losses, outflows, volatility, debt).  The second value
# is the polarity the word carries on its own when no direction word is near.
_METRICS: dict[str, tuple[int, float]] = {}


def _metric(sign: int, standalone: float, *words: str) -> None:
    for w in _forms(*words):
        _METRICS[w] = (sign, standalone)


_metric(+1, 0.0, "profit|profits|earnings|revenue|revenues|sales|income|eps|ebitda",
        "margin|margins|dividend|dividends|payout|payouts|buyback|buybacks|cash_flow",
        "price|prices|share|shares|stock|stocks|equities|equity|valuation|valuations",
        "demand|orders|bookings|growth|guidance|outlook|forecast|forecasts|target|price_target",
        "returns|assets|aum|nav|market|markets|index|indexes|indices|benchmark",
        "nasdaq|dow|s&p|futures|traffic|subscribers|users|customers|deliveries|shipments",
        "cash|momentum|confidence|sentiment|employment|jobs|payrolls|gdp|spending|exports",
        "backlog|occupancy|performance|output|rating|ratings|stake|holdings|volume",
        "valuation|multiple|multiples|gauge|benchmarks|etf|etfs|fund|funds|bitcoin|gold|oil")
_metric(+1, 0.8, "inflow|inflows|net_inflow|net_inflows|creations|creation|unit_creation",
        "unit_creations|buying_pressure|gains")
_metric(+1, 1.0, "rally|rallies")  # "the rally faded" is bearish, a bare "rally" bullish
_metric(-1, 0.0, "cost|costs|expense|expenses|debt|debts|deficit|unemployment|jobless",
        "claims|inflation|spread|spreads|liabilities|leverage|vix|inventories|borrowing",
        "churn|taxes|tariffs|rates|yields_spread")
_metric(-1, -0.8, "outflow|outflows|net_outflow|net_outflows|redemption|redemptions",
        "unit_destruction|unit_destructions|selling_pressure|drawdown|drawdowns")
_metric(-1, -0.6, "loss|losses|volatility|layoffs|job_cuts|defaults|default",
        "delinquencies|impairment|impairments|writedown|writedowns|charges|risk|risks",
        "fears|concerns|worries|uncertainty|short_interest|headwinds|pressure",
        "bankruptcies|recalls|fines|penalties|selloff|sell-off|losses_widened")

# Words that carry polarity on their own.
_POLAR: dict[str, float] = {}


def _polar(weight: float, *words: str) -> None:
    for w in _forms(*words):
        _POLAR[w] = weight


_polar(+1.0, "bullish|upgrade|upgrades|upgraded|outperform|outperforms|outperformed",
       "beat|beats|record_high|all-time_high|all_time_high|breakout|rallied",
       "rallying|soaring|surging|short_squeeze")
_polar(+0.7, "strong|stronger|strongest|strength|robust|solid|optimism|optimistic|upbeat",
       "profitable|win|wins|won|approval|approves|approved|breakthrough|boom|booming",
       "recovery|upside|tailwind|tailwinds|overweight|accumulation|buy|buys|bought",
       "positive|improve|improves|improved|improving|improvement|strengthen|strengthened",
       "tops|topped|best|gain|52-week_high|new_high|new_highs|higher_high|long",
       "beating|beats_estimates|exceeds|surpass|surpassed|surpasses|jump|soars",
       "highs|bounce|bounces|bounced|squeeze|hopes|hopeful|bull|bulls|above|nice|upgrades",
       "outperformance|record_profit|raises_guidance|buyback|windfall|blowout")
_polar(-1.0, "bearish|downgrade|downgrades|downgraded|underperform|underperforms",
       "underperformed|miss|misses|missed|record_low|selloff|sell-off|crash|crashed",
       "crashes|plunge|plunges|plunged|bankruptcy|bankrupt|fraud|recession|slump")
_polar(-0.7, "weak|weaker|weakest|weakness|weaken|weakens|weakened|soft|softer|disappointing",
       "disappoint|disappoints|disappointed|concern|worry|fear|warn|warns|warned|warning",
       "probe|lawsuit|lawsuits|sue|sues|sued|scandal|investigation|recall|turmoil",
       "slowdown|underweight|sell|sold|negative|downside|struggle|struggles|struggling",
       "suspend|suspends|suspended|halt|halts|halted|delay|delays|delayed",
       "withdraw|withdraws|withdrew|withdrawn|fail|fails|failed|failure|plummet",
       "tumble|tumbles|tumbled|sink|sinks|sank|lose|loses|lost|losing|worst",
       "52-week_low|new_low|new_lows|lower_low|profit_taking|short|shorts|shorting",
       "cut_to|cuts_to|slashes|slashed|pressured|hurt|hurts|threat|threatens",
       "worsen|worsens|worsened|worsening|deteriorate|deteriorated|deteriorating",
       "dump|dumps|dumped|dumping|exit|exits|exited|ditch|ditches|ditched",
       "crisis|bad|bear|bears|below|lowest|lows|worse|outbreak|hit|hits|pain|painful",
       "shortfall|glut|layoff|bailout|default|defaults|defaulted|downturn|headwind")
_polar(-0.3, "mean_reversion")  # an expected unwind of a stretched move: mildly cautionary

# Multi-word expressions joined into one token before matching.
_PHRASES: dict[tuple[str, ...], str] = {}
for _p in (
    "net outflow", "net outflows", "net inflow", "net inflows", "unit destruction",
    "unit destructions", "unit creation", "unit creations", "selling pressure",
    "buying pressure", "mean reversion", "record high", "all-time high", "all time high",
    "record low", "52-week high", "52-week low", "new high", "new highs", "new low",
    "new lows", "higher high", "lower low", "profit taking", "short squeeze",
    "short interest", "job cuts", "cash flow", "price target", "cut to", "cuts to",
    "sell off", "picked up", "ramped up", "shot up", "went up", "sped up", "stepped up",
    "built up", "dried up", "went down", "slowed down", "wound down", "pulled back",
):
    _PHRASES[tuple(_p.split())] = _p.replace(" ", "_").replace("sell_off", "selloff")
_MAX_PHRASE = max(len(k) for k in _PHRASES)
_PHRASE_STARTS = {k[0] for k in _PHRASES}

_NEGATORS = {"not", "no", "never", "n't", "without", "nor", "neither", "cannot", "none",
             "nothing", "lack", "lacks", "lacking", "absence", "unable", "hardly", "barely"}
# Words that undo what they touch: "reversing last week's outflows", "pared gains".
_NEGATORS |= _forms("reverse|reverses|reversed|reversing|reversal|erase|erases|erased|erasing",
                    "recoup|recoups|recouped|recouping|pare|pares|pared|paring",
                    "offset|offsets|offsetting|undo|undid|undoing")
# Concessive clauses count half ("despite heavy outflows, the price rose"), and so
# does what comes before an adversative ("profit rose but costs jumped").
_CONCESSIVE = {"despite", "although", "though", "notwithstanding"}
_ADVERSATIVE = {"but", "however", "yet"}
_SENTENCE_ENDS = {".", ";", "!", "?"}
_BACKGROUND_WEIGHT = 0.5
_INTENSIFIERS = {
    "sharply": 1.6, "heavily": 1.6, "strongly": 1.5, "significantly": 1.5,
    "substantially": 1.5, "dramatically": 1.7, "massively": 1.8, "hugely": 1.7,
    "steeply": 1.6, "rapidly": 1.4, "markedly": 1.4, "very": 1.3, "extremely": 1.6,
    "massive": 1.6, "huge": 1.6, "big": 1.3, "biggest": 1.5, "heavy": 1.5, "sharp": 1.5,
    "steep": 1.5, "record": 1.4, "strong": 1.2, "large": 1.3, "largest": 1.5,
    "slightly": 0.5, "modestly": 0.55, "marginally": 0.45, "somewhat": 0.6,
    "mildly": 0.5, "little": 0.6, "slight": 0.5, "modest": 0.6, "small": 0.6,
    "minor": 0.55, "marginal": 0.5, "bit": 0.6, "fractionally": 0.4,
}
_BOUNDARIES = {".", ";", ":", "!", "?", "but", "however", "although", "though", "while",
               "whereas", "yet", "despite", "notwithstanding"}
_SOFT_BOUNDARIES = {","}
_PAIR_WINDOW = 4
_NEG_WINDOW = 3
_INT_WINDOW = 2
_UNPAIRED_DIRECTION = 0.5  # a bare "jumped" in financial news usually means a price went up
