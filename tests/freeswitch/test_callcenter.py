"""mod_callcenter in the simulator, driven over ESL: config commands with their real replies,
strategies, wrap-up, no-answer handling and `callcenter::info` events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from dialer.freeswitch.calls import Originate
from dialer.freeswitch.events import Event, Subscription
from dialer.freeswitch.node import Node
from tests.freeswitch.conftest import next_event


async def cc(node: Node, command: str) -> str:
    return await node.api(f"callcenter_config {command}")


def queued(queue: str, lead: int, trunk: str = "human") -> Originate:
    return Originate(f"1555111{lead:04d}", trunk, 1, 1, lead, application="callcenter", application_args=queue)


def info(action: str, **headers: str) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        wanted = {"CC-Action": action, **{k.replace("_", "-"): v for k, v in headers.items()}}
        return event.name == "callcenter::info" and all(event.headers.get(k) == v for k, v in wanted.items())

    return match


async def agents(node: Node, *names: str, queue: str = "sales", contact: str = "user/{}") -> None:
    for position, name in enumerate(names, 1):
        assert await cc(node, f"agent add {name} callback") == "+OK\n"
        assert await cc(node, f"agent set contact {name} {contact.format(name)}") == "+OK\n"
        assert await cc(node, f"tier add {queue} {name} 1 {position}") == "+OK\n"
        assert await cc(node, f"agent set status {name} Available") == "+OK\n"


async def test_config_commands_and_their_replies(node: Node) -> None:
    assert await cc(node, "agent add 1001 callback") == "+OK\n"
    assert await cc(node, "agent add 1001 callback") == "-ERR Agent already exist!\n"
    assert await cc(node, "agent add 1002 carrier-pigeon") == "-ERR Agent type invalid!\n"
    assert await cc(node, "agent set status 1001 Bogus") == "-ERR Invalid Agent Status!\n"
    assert await cc(node, "agent set state 1001 Sleeping") == "-ERR Invalid Agent State!\n"
    assert await cc(node, "agent set colour 1001 blue") == "-ERR Invalid Agent Update KEY!\n"
    assert await cc(node, "agent set status nobody Available") == "-ERR Agent not found!\n"
    assert await cc(node, "agent set status 1001 'On Break'") == "+OK\n"
    assert await cc(node, "agent get status 1001") == "On Break"
    assert await cc(node, "agent get state 1001") == "Waiting"
    assert await cc(node, "tier add nowhere 1001") == "-ERR Queue not found!\n"
    assert await cc(node, "tier add sales ghost") == "-ERR Agent not found!\n"
    assert await cc(node, "tier add sales 1001 2 3") == "+OK\n"
    assert await cc(node, "tier add sales 1001") == "-ERR Tier already exist!\n"
    assert await cc(node, "tier set state sales 1001 Sleepy") == "-ERR Invalid Tier State!\n"
    assert await cc(node, "tier list") == "queue|agent|state|level|position\nsales|1001|Ready|2|3\n+OK\n"
    assert await cc(node, "queue load sales") == "+OK\n"
    assert await cc(node, "queue load nowhere") == "-ERR Invalid Queue not found!\n"
    listing = (await cc(node, "agent list")).splitlines()
    assert listing[0].startswith("name|instance_id|uuid|type|contact|status|state|")
    assert listing[1].startswith("1001|single_box||callback||On Break|Waiting|") and listing[-1] == "+OK"
    assert (await cc(node, "queue list")).splitlines()[1].startswith("sales|longest-idle-agent|")
    assert await cc(node, "queue count agents sales") == "1\n"
    assert await cc(node, "agent del 1001") == "+OK\n"
    assert await cc(node, "bogus") == "-ERR Invalid!\n"


async def bridged(events: Subscription, call_uuid: str) -> Event:
    return await next_event(events, info("bridge-agent-start", CC_Member_UUID=call_uuid))


async def test_longest_idle_agent_and_wrap_up(node: Node) -> None:
    with node.events() as events:
        await agents(node, "a1", "a2")
        first = await node.originate(queued("sales", 1))
        start = await bridged(events, first.uuid)
        assert start.headers["CC-Queue"] == "sales" and start.variable("cc_agent") is not None
        took = start.headers["CC-Agent"]
        assert await cc(node, f"agent get state {took}") == "In a queue call"
        await asyncio.wait_for(first.ended, 5)
        end = await next_event(events, info("member-queue-end", CC_Member_UUID=first.uuid))
        assert end.headers["CC-Cause"] == "Terminated"
        second = await node.originate(queued("sales", 2))
        other = (await bridged(events, second.uuid)).headers["CC-Agent"]
        assert other != took  # the agent idle longest gets the next call
        await asyncio.wait_for(second.ended, 5)
        # Wrap-up: the agent is Waiting but not offered calls until its wrap-up time is over.
        # 2 s: like mod_callcenter the simulator counts in whole epoch seconds, so a 1 s wrap-up can
        # end almost at once; 2 s guarantees at least one.
        assert await cc(node, f"agent set wrap_up_time {other} 2") == "+OK\n"
        assert await cc(node, f"agent set status {took} 'On Break'") == "+OK\n"
        third = await node.originate(queued("sales", 3))
        await next_event(events, info("member-queue-start", CC_Member_UUID=third.uuid))
        start = await bridged(events, third.uuid)
        assert start.headers["CC-Agent"] == other
        await asyncio.wait_for(third.ended, 5)
        # Timed from the end of the agent's call, not from the next originate: on a loaded machine
        # much of the wrap-up may pass before that originate is even sent.
        ended = asyncio.get_running_loop().time()
        fourth = await node.originate(queued("sales", 4, trunk="slow"))
        await bridged(events, fourth.uuid)
        assert asyncio.get_running_loop().time() - ended > 0.5  # waited for the wrap-up
        assert await node.hangup(fourth.uuid)
        assert (await asyncio.wait_for(fourth.ended, 5)).name == "NORMAL_CLEARING"


async def test_ring_all_offers_every_agent(node: Node) -> None:
    with node.events() as events:
        await agents(node, "r1", "r2", "r3", queue="support")
        call = await node.originate(queued("support", 5))
        offering = info("agent-offering", CC_Member_UUID=call.uuid)
        offered = {(await next_event(events, offering)).headers["CC-Agent"] for _ in range(3)}
        assert offered == {"r1", "r2", "r3"}
        winner = (await bridged(events, call.uuid)).headers["CC-Agent"]
        await asyncio.wait_for(call.ended, 5)
        states = {name: await cc(node, f"agent get state {name}") for name in ("r1", "r2", "r3")}
        assert set(states.values()) == {"Waiting"} and winner in states


async def test_no_answer_delay_and_max_no_answer(node: Node) -> None:
    with node.events() as events:
        await agents(node, "n1", contact="error/NO_ANSWER")
        assert await cc(node, "agent set max_no_answer n1 2") == "+OK\n"
        assert await cc(node, "agent set no_answer_delay_time n1 1") == "+OK\n"
        call = await node.originate(queued("sales", 6, trunk="slow"))
        fail = await next_event(events, info("bridge-agent-fail", CC_Agent="n1"))
        assert fail.headers["CC-Hangup-Cause"] == "NO_ANSWER"
        maxed = await next_event(events, info("agent-max-no-answer", CC_Agent="n1"), timeout=5)
        assert maxed.headers["CC-Agent-No-Answer-Count"] == "2"
        await next_event(events, info("agent-status-change", CC_Agent="n1", CC_Agent_Status="On Break"))
        assert await cc(node, "agent get status n1") == "On Break"
        # The caller gives up: the member leaves the queue as an abandon.
        assert await node.hangup(call.uuid, "ORIGINATOR_CANCEL")
        end = await next_event(events, info("member-queue-end", CC_Member_UUID=call.uuid))
        assert end.headers["CC-Cause"] == "Cancel" and end.headers["CC-Cancel-Reason"] == "NONE"
