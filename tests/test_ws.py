"""The /ws client queue and filters: a slow client never slows others, ticks coalesce, no silent gaps."""

from __future__ import annotations

import asyncio
import json

import pytest

from dialer.rest_compat.ws import ClientQueue, Filter


def tick(scope: str, id: str, n: int) -> dict:
    return {"type": "kpi.tick", "scope": scope, "id": id, "n": n}


def test_ticks_coalesce_per_scope_when_the_queue_is_full():
    async def scenario() -> list[dict]:
        queue = ClientQueue(size=2)
        queue.put({"type": "call.update", "uuid": "a"})
        queue.put({"type": "call.update", "uuid": "b"})
        for n in range(5):
            queue.put(tick("campaign", "cmp_1", n))
        queue.put(tick("trunk", "gw", 9))
        assert not queue.overflowed.is_set()
        return [json.loads(await queue.get()) for _ in range(4)]

    got = asyncio.run(scenario())
    assert [m.get("uuid") for m in got[:2]] == ["a", "b"]
    assert sorted((m["scope"], m["n"]) for m in got[2:]) == [("campaign", 4), ("trunk", 9)]  # only the newest


def test_a_call_update_that_does_not_fit_ends_the_client():
    queue = ClientQueue(size=1)
    queue.put({"type": "call.update", "uuid": "a"})
    queue.put({"type": "call.update", "uuid": "b"})
    assert queue.overflowed.is_set()


def test_filters():
    only = Filter({"types": "call.update,kpi.tick", "campaignId": "cmp_1"})
    assert only.wants({"type": "call.update", "campaignId": "cmp_1"})
    assert not only.wants({"type": "call.update", "campaignId": "cmp_2"})
    assert not only.wants({"type": "agent.update", "agentId": "1001"})
    assert only.wants({"type": "kpi.tick", "scope": "campaign", "id": "cmp_1"})
    assert not only.wants({"type": "kpi.tick", "scope": "global", "id": "global"})
    trunks = Filter({"types": "kpi.tick", "scope": "trunk"})
    assert trunks.wants({"type": "kpi.tick", "scope": "trunk", "id": "gw"})
    with pytest.raises(ValueError, match="unknown message types"):
        Filter({"types": "call.updat"})
