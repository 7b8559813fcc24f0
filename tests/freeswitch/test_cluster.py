"""The controller over a simulated two-node cluster: distribution, one event stream, restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from dialer.freeswitch import events as ev
from dialer.freeswitch.calls import Originate
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.node import Node, NodeConfig
from dialer.freeswitch.sim import SimCluster, SimNode
from tests.freeswitch.conftest import next_event, sim_config


def dial(trunk: str, lead: int) -> Originate:
    return Originate(f"1555000{lead:04d}", trunk, campaign_id=1, list_id=1, lead_id=lead)


async def test_two_node_cluster_spreads_calls_and_merges_events() -> None:
    sims = SimCluster(2, password="pw", config=sim_config())
    await sims.start()
    cluster = Cluster([NodeConfig(f"fs{i + 1}", n.host, n.port, "pw", max_calls=50) for i, n in enumerate(sims.nodes)])
    try:
        with cluster.events() as events:
            await cluster.start()
            assert {e.node for e in [await next_event(events, lambda e: e.name == ev.NODE_UP) for _ in range(2)]} == {
                "fs1",
                "fs2",
            }
            calls = [await cluster.originate(dial("human", lead)) for lead in range(40)]
            assert Counter(call.node for call in calls) == {"fs1": 20, "fs2": 20}
            causes = await asyncio.wait_for(asyncio.gather(*(call.ended for call in calls)), 10)
            assert {cause.name for cause in causes} == {"NORMAL_CLEARING"}
            done = set()
            while len(done) < 40:
                event = await next_event(events, lambda e: e.name == "CHANNEL_HANGUP_COMPLETE")
                done.add((event.node, event.uuid))
        assert Counter(node for node, _ in done) == {"fs1": 20, "fs2": 20}
        # A full node gets nothing more; the other takes the traffic.
        cluster.nodes["fs1"].config = replace(cluster.nodes["fs1"].config, max_calls=0)
        assert cluster.choose().name == "fs2"
    finally:
        await cluster.close()
        await sims.stop()


async def test_node_restart_reconnects_resubscribes_and_settles_lost_calls(sim: SimNode, node: Node) -> None:
    with node.events() as events:
        before = await node.originate(dial("slow", 1))
        await asyncio.wait_for(before.result, 5)
        ringing = await node.originate(Originate("15550009999", "no_answer", 1, 1, 9, timeout=30))
        await next_event(events, lambda e: e.name == "CHANNEL_PROGRESS" and e.uuid == ringing.uuid)
        await sim.restart(down_for=0.2)  # a crash: the channels vanish without a hangup event
        down = await next_event(events, lambda e: e.name == ev.NODE_DOWN)
        assert down.node == "fs1"
        await next_event(events, lambda e: e.name == ev.NODE_UP)
        lost = {(await next_event(events, lambda e: e.name == ev.CALL_LOST)).uuid for _ in range(2)}
        assert lost == {before.uuid, ringing.uuid}
        assert (await before.ended).name == "NETWORK_OUT_OF_ORDER" and not node.calls
        result = await ringing.result  # its originate job never finished: settled as lost too
        assert not result.ok and result.cause and result.cause.name == "NETWORK_OUT_OF_ORDER"
        # Subscriptions were sent again: a new call's events arrive.
        after = await node.originate(dial("human", 2))
        await next_event(events, lambda e: e.name == "CHANNEL_ANSWER" and e.uuid == after.uuid)
        assert (await asyncio.wait_for(after.ended, 5)).name == "NORMAL_CLEARING"


async def test_calls_that_survive_a_reconnect_are_kept(sim: SimNode, node: Node) -> None:
    """Only the socket dropped (FreeSWITCH kept running): the call stays tracked and ends normally."""
    with node.events() as events:
        call = await node.originate(dial("slow", 3))
        await asyncio.wait_for(call.result, 5)
        assert sim.server is not None
        for connection in list(sim.server.connections):
            connection.close(None)
        await next_event(events, lambda e: e.name == ev.NODE_DOWN)
        await next_event(events, lambda e: e.name == ev.NODE_UP)
        assert call.uuid in node.calls and not call.ended.done()
        assert await node.hangup(call.uuid)
        assert (await asyncio.wait_for(call.ended, 5)).name == "NORMAL_CLEARING"
