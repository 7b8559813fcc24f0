"""What the campaign loops share about trunks (dialer.engine.trunks, "Sharing").

Within a replica, one `TrunkBook`: one CPS bucket and one breaker per trunk for all its campaigns.
Between replicas, the database (dialer.models.ProviderShare):

* Each trunk's CPS bucket lives there. A loop takes its calls' tokens from it in one transaction
  (`take`), so a provider's maxCps holds for the whole cluster, and the calls per second that an
  idle campaign leaves go to whichever campaigns have callers to reach, on any replica. The book
  mirrors the bucket: `peek` before choosing trunks, `take` after.
* A backoff that one replica starts (its breaker opened on 503s) is written there, and the others
  back the trunk off too at their next `peek`, instead of each learning it from its own failures.

Times in the database are wall-clock (Unix) seconds: replicas on different hosts share no monotonic
clock. A bucket's refill time never moves backwards: a replica whose clock is behind refills
nothing until its clock passes the last refill, and one whose clock is ahead refills its lead early,
once. Skew between clocks moves tokens in time by that much; it never adds a rate.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

from tortoise.transactions import in_transaction

from dialer.engine.trunks import TrunkBook, TrunkSpec, back_off, backed_off_until, record, with_tokens
from dialer.models import ProviderShare


class TrunkShare:
    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self.book = TrunkBook()
        self.wall = wall
        self._to_tell: dict[str, float] = {}  # trunk -> until (wall clock): backoffs the others must hear of

    async def peek(self, trunks: Sequence[TrunkSpec], now: float) -> None:
        """Before choosing among `trunks`: mirror their shared buckets, and back off those another
        replica backed off. `now` is the loop's monotonic clock."""
        await self._tell()
        live = {t.name: t for t in trunks if t.enabled and t.max_cps > 0}
        if not live:
            return
        rows = {row.name: row for row in await ProviderShare.filter(name__in=list(live))}
        wall = self.wall()
        if missing := [n for n in live if n not in rows]:  # a full bucket, unless another replica just made it
            fresh = [ProviderShare(name=n, tokens=self._size(live[n]), refilled_at=wall) for n in missing]
            await ProviderShare.bulk_create(fresh, ignore_conflicts=True)
        book = self.book
        for name, row in rows.items():
            if row.backed_off_until > wall:
                book = back_off(book, name, now + row.backed_off_until - wall, now)
        levels = {name: self._refilled(row, live[name], wall)[0] for name, row in rows.items()}
        self.book = with_tokens(book, levels, now)

    async def take(self, picks: Sequence[str], trunks: Sequence[TrunkSpec], now: float) -> tuple[str, ...]:
        """A CPS token from the shared bucket of each pick's trunk: the picks that got one, in order."""
        if not picks:
            return ()
        spec = {t.name: t for t in trunks}
        wanted = Counter(picks)
        granted: dict[str, int] = {}
        levels: dict[str, float] = {}
        wall = self.wall()
        async with in_transaction():
            for name in sorted(wanted):  # one order on every replica: no deadlock between them
                row = await ProviderShare.select_for_update().get_or_none(name=name)
                if row is None:  # not peeked at yet: the next tick's peek makes it
                    continue
                tokens, refilled_at = self._refilled(row, spec[name], wall)
                granted[name] = min(wanted[name], int(tokens + 1e-9))
                row.tokens, row.refilled_at = tokens - granted[name], refilled_at
                await row.save(update_fields=["tokens", "refilled_at"])
                levels[name] = row.tokens
        self.book = with_tokens(self.book, levels, now)
        kept = []
        for pick in picks:
            if granted.get(pick, 0) > 0:
                granted[pick] -= 1
                kept.append(pick)
        return tuple(kept)

    def record(self, trunk: str, failed: bool, now: float, started_at: float | None = None) -> None:
        """A call on `trunk` ended (dialer.engine.trunks.record); a backoff it starts is told to the
        other replicas at the next `peek`."""
        before = backed_off_until(self.book, trunk)
        self.book = record(self.book, trunk, failed, now, started_at)
        until = backed_off_until(self.book, trunk)
        if until is not None and until != before:
            self._to_tell[trunk] = max(self._to_tell.get(trunk, 0.0), self.wall() + until - now)

    async def _tell(self) -> None:
        while self._to_tell:
            trunk, until = next(iter(self._to_tell.items()))
            await ProviderShare.filter(name=trunk, backed_off_until__lt=until).update(backed_off_until=until)
            if self._to_tell.get(trunk) == until:  # not moved on meanwhile
                del self._to_tell[trunk]

    def _size(self, trunk: TrunkSpec) -> float:
        return max(1.0, trunk.max_cps * self.book.burst_s)

    def _refilled(self, row: ProviderShare, trunk: TrunkSpec, wall: float) -> tuple[float, float]:
        """The bucket's tokens and refill time at `wall`."""
        tokens = min(self._size(trunk), row.tokens + max(0.0, wall - row.refilled_at) * trunk.max_cps)
        return tokens, max(row.refilled_at, wall)
