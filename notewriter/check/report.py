"""The checker's report: one finding per number, with the fact it matched or why none did."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    """One number in the text and the fact it matched, or why none did."""

    start: int
    end: int
    text: str
    kind: str
    value: float | str
    ticker: str | None
    matched: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.matched is not None

    def as_dict(self) -> dict:
        row = {"span": [self.start, self.end], "text": self.text, "kind": self.kind, "ticker": self.ticker,
               "matched": self.matched, "reason": self.reason}
        return {k: v for k, v in row.items() if v is not None}


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def ok(self) -> bool:
        return not self.unsupported

    def as_dict(self) -> dict:
        return {"ok": self.ok, "numbers": len(self.findings), "unsupported": len(self.unsupported),
                "findings": [f.as_dict() for f in self.findings]}

    def summary_lines(self) -> list[str]:
        lines = []
        for f in self.findings:
            where = f"[{f.start}:{f.end}]"
            if f.ok:
                lines.append(f"ok    {where} {f.text!r} ({f.ticker or '-'}) = {f.matched}")
            else:
                lines.append(f"FAIL  {where} {f.text!r} ({f.ticker or '-'}): {f.reason}")
        lines.append(f"{len(self.findings)} numbers, {len(self.unsupported)} unsupported")
        return lines
