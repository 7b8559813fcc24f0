"""What the campaign loops of one replica share about trunks (dialer.engine.trunks, "Sharing").

One `TrunkBook`, so one CPS bucket and one breaker per trunk for all of them: a trunk one campaign
found failing with 503s is backed off for the others at once, and calls per second one campaign
leaves unused go to another that has callers to reach. And who dials through each trunk here, for
that bucket's rate: a provider's maxCps is split among the replicas in proportion to the running
campaigns each dials through the trunk (counted from the database, which every replica sees), so
that together they stay under it; within a replica it goes to whichever campaign asks first.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialer.engine.trunks import TrunkBook


class TrunkShare:
    def __init__(self) -> None:
        self.book = TrunkBook()
        self._dialing: dict[int, frozenset[str]] = {}  # campaign id -> trunks it dials through here

    def dialing(self, campaign_id: int, trunks: Iterable[str]) -> None:
        """The campaign dials from this replica, through these trunks."""
        self._dialing[campaign_id] = frozenset(trunks)

    def gone(self, campaign_id: int) -> None:
        """The campaign no longer dials from this replica (paused, stopped, its lease lost)."""
        self._dialing.pop(campaign_id, None)

    def max_cps(self, trunk: str, provider_max_cps: float, running: int) -> float:
        """This replica's part of a provider's maxCps when `running` campaigns dial through the
        trunk in all (across replicas): as many parts as it dials of them."""
        here = sum(1 for trunks in self._dialing.values() if trunk in trunks)
        return provider_max_cps * max(1, here) / max(1, running, here)
