"""The campaign lease (dialer.models.leases): held by one replica, renewed every tick, taken over
by another once it has expired. Acquire and renew are one conditional UPDATE, so two replicas
racing for a free campaign cannot both win."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from dialer.models import CampaignLease


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, owner: str | None = None, ttl: float = 15.0) -> None:
        self.owner = owner or replica_name()
        self.ttl = ttl

    async def hold(self, campaign_id: int) -> bool:
        """Renew ours, or take a free or expired one; False while another replica holds it."""
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.ttl)
        taken = await CampaignLease.filter(
            Q(campaign_id=campaign_id) & (Q(owner=self.owner) | Q(expires_at__lt=now))
        ).update(owner=self.owner, expires_at=until)
        if taken:
            return True
        try:
            await CampaignLease.create(campaign_id=campaign_id, owner=self.owner, expires_at=until)
        except IntegrityError:  # someone holds it (or just took it)
            return False
        return True

    async def release(self, campaign_id: int) -> None:
        await CampaignLease.filter(campaign_id=campaign_id, owner=self.owner).delete()
