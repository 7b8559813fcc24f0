"""The campaign runner the API talks to before the dialing engine exists: lifecycle changes are
accepted (the campaign's status is the truth) and every live figure is zero."""

from __future__ import annotations

from dialer.graphql.context import RuntimeFigures


class IdleRunner:
    async def started(self, campaign_id: int) -> None:
        return None

    async def paused(self, campaign_id: int) -> None:
        return None

    async def stopped(self, campaign_id: int) -> None:
        return None

    def figures(self, campaign_id: int) -> RuntimeFigures:
        return RuntimeFigures()
