"""A scored track record for people (Markdown) and programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date

_COLUMNS = ("calls", "independent", "overlapping", "directional", "hits", "hit_rate", "wilson_95", "p_value",
            "mean_return", "median_return", "mean_excess", "t_excess", "neutral")
_HEAD = {"calls": "calls", "independent": "independent", "overlapping": "overlapping", "directional": "directional",
         "hits": "hits", "hit_rate": "hit rate", "wilson_95": "95% interval", "p_value": "p (vs 50%)",
         "mean_return": "mean return", "median_return": "median return", "mean_excess": "mean excess",
         "t_excess": "t (excess)", "neutral": "neutral"}


def pct(x: float | None, signed: bool = False) -> str:
    """A share or a return for people: "60%", "+1.2%", or a dash when there is none."""
    if x is None or not math.isfinite(x):
        return "–"
    if signed:
        return "0.0%" if round(x * 100, 1) == 0 else f"{x * 100:+.1f}%"
    return f"{x * 100:.0f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _cell(row: dict, col: str) -> str:
    if col == "wilson_95":
        return "–" if row["wilson_low"] is None else f"{pct(row['wilson_low'])}–{pct(row['wilson_high'])}"
    if col == "hit_rate":
        return pct(row[col])
    if col in ("mean_return", "median_return", "mean_excess"):
        return pct(row[col], signed=True)
    if col == "p_value":
        return _num(row[col], 3)
    if col == "t_excess":
        return _num(row[col])
    return str(row[col])


def _md_text(value) -> str:
    """A group's name (a vendor's category or ticker) as text in a table cell: on one line, its Markdown and
    HTML escaped (a pipe among them, so it cannot end the cell)."""
    from ..render import md_escape

    if value is None or value == "":
        return "–"
    return str(md_escape(" ".join(str(value).split())))


def _csv_text(value):
    """A text cell a spreadsheet will not run: one that starts with =, +, -, @ or a control character gets a
    leading apostrophe (numbers are written as numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _bench(name: str) -> str:
    return "the other funds of each call's category, equal-weighted" if name == "category" else name


def markdown(result: dict) -> str:
    """The record as Markdown: what was scored, one table of calls by group and horizon, the calibration."""
    by = result["by"]
    lines = [f"# Track record as of {result['as_of']}", "",
             f"Calls scored: those whose horizon ended by {result['as_of']}, against prices dated on or before "
             f"it ({result['pending']} call-horizons still open). Returns run from the next session's open (or "
             f"the close when the data has no opens) to the close at the horizon, in the call's direction; "
             f"excess is over {_bench(result['benchmark'])}. Statistics use the independent calls: per fund, call "
             "type and direction, a call made before the last counted call's horizon ended is left out as "
             "overlapping.", ""]
    if not result["rows"]:
        lines.append("No call is due yet.")
        return "\n".join(lines) + "\n"
    head = [*by, "horizon (sessions)", *(_HEAD[c] for c in _COLUMNS)]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in result["rows"]:
        cells = [_md_text(row[k]) for k in by] + [str(row["horizon"])] + [_cell(row, c) for c in _COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    if result["calibration"]:
        lines += ["", "## Sentiment calibration", "",
                  "Mean return after each sentiment band (not signed), most bearish first. Ordered: whether the "
                  "mean rises band by band.", "",
                  "| horizon (sessions) | band | calls | mean return | median return | rose | mean over benchmark |",
                  "|---|---|---|---|---|---|---|"]
        for r in result["calibration"]:
            lines.append(f"| {r['horizon']} | {r['band']} | {r['calls']} | {pct(r['mean_return'], True)} | "
                         f"{pct(r['median_return'], True)} | {r['rose']} ({pct(r['rose_share'])}) | "
                         f"{pct(r['mean_over_benchmark'], True)} |")
        lines.append("")
        lines.append("Ordered: " + ", ".join(f"{h} sessions {'yes' if ok else 'no'}"
                                             for h, ok in result["ordered"].items()) + ".")
    return "\n".join(lines) + "\n"


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(result: dict) -> str:
    def clean(v):
        if isinstance(v, dict):
            return {str(kk): clean(vv) for kk, vv in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return _clean(v)

    out = clean(result)
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def as_csv(result: dict) -> str:
    """One line per group and horizon; empty cells where a figure does not exist."""
    buf = io.StringIO()
    rows = result["rows"]
    fields = [*result["by"], "horizon", "calls", "priced", "independent", "overlapping", "directional", "neutral",
              "hits", "hit_rate", "wilson_low", "wilson_high", "p_value", "mean_return", "median_return",
              "mean_excess", "median_excess", "t_excess", "excess_n"]
    w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else _csv_text(r.get(k))) for k in fields})
    return buf.getvalue()


FORMATS = {"md": markdown, "json": as_json, "csv": as_csv}
