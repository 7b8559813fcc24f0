"""The abandon rate as the law counts it: abandoned calls / live answers, over the campaign's life
while it is shorter than 30 days, else over each rolling 30-day period (the TSR's "per campaign,
per 30-day period"). Pure: the engine passes the day (in the campaign's reference time zone) and
persists `to_dict()`.

    ledger = AbandonLedger()
    ledger.record(date(2025, 3, 1), humans=1, abandoned=0)   # a bridged live answer
    ledger.record(date(2025, 3, 1), humans=1, abandoned=1)   # an abandoned one
    ledger.rate(date(2025, 3, 1))                             # 0.5
    ledger.window(today)                                      # (humans, abandoned) counted now
    ledger.before(today)                                      # the same, without today: the
                                                              # pacer's `history`

Days without a record count as zero. Days older than the window are dropped on `record`.
"""

from __future__ import annotations

from datetime import date, timedelta

WINDOW_DAYS = 30


class AbandonLedger:
    def __init__(self, days: dict[date, tuple[int, int]] | None = None, started: date | None = None) -> None:
        self.days: dict[date, tuple[int, int]] = dict(days or {})
        self.started = started if started is not None else min(self.days, default=None)

    def record(self, day: date, humans: int = 0, abandoned: int = 0) -> None:
        if abandoned > humans and humans:
            raise ValueError("more abandoned calls than live answers")
        if self.started is None or day < self.started:
            self.started = day
        h, a = self.days.get(day, (0, 0))
        self.days[day] = (h + humans, a + abandoned)
        oldest = day - timedelta(days=WINDOW_DAYS - 1)
        for old in [d for d in self.days if d < oldest]:
            del self.days[old]

    def window(self, today: date) -> tuple[int, int]:
        """(live answers, abandoned) of the period that ends with `today`: the campaign's life if
        it began within the last 30 days, else the last 30 days (today included)."""
        first = today - timedelta(days=WINDOW_DAYS - 1)
        humans = abandoned = 0
        for day, (h, a) in self.days.items():
            if first <= day <= today:
                humans += h
                abandoned += a
        return humans, abandoned

    def before(self, today: date) -> tuple[int, int]:
        """The window that ends with `today`, without today itself."""
        humans, abandoned = self.window(today)
        h, a = self.days.get(today, (0, 0))
        return humans - h, abandoned - a

    def rate(self, today: date) -> float:
        humans, abandoned = self.window(today)
        return abandoned / humans if humans else 0.0

    def life_days(self, today: date) -> int:
        return (today - self.started).days + 1 if self.started else 0

    def to_dict(self) -> dict:
        return {
            "started": self.started.isoformat() if self.started else None,
            "days": {d.isoformat(): [h, a] for d, (h, a) in sorted(self.days.items())},
        }

    @classmethod
    def from_dict(cls, data: dict) -> AbandonLedger:
        days = {date.fromisoformat(d): (int(h), int(a)) for d, (h, a) in data.get("days", {}).items()}
        started = date.fromisoformat(data["started"]) if data.get("started") else None
        return cls(days, started)
