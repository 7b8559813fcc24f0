"""mod_xml_curl in the simulator: `callcenter_config queue load|reload` fetch callcenter.conf from an
HTTP gateway (the dialer), fall back to the static configuration when it has nothing, and the queue
keeps the parameters it was loaded with (tier rules and max-wait-time* apply in dispatch)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
from click.testing import CliRunner

from dialer.app.cli import main
from dialer.app.freeswitch import run_simulator
from dialer.app.settings import parse_freeswitch
from dialer.freeswitch.sim import SimCluster, SimNode, Switch, VirtualClock, XmlCurlConfig
from dialer.freeswitch.sim.callcenter_model import QUEUE_COLUMNS
from dialer.freeswitch.sim.xml_curl import locate, request_body
from tests.freeswitch.conftest import RawEsl, sim_config

NOT_FOUND = '<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>'


def document(queues: str, agents: str = "", tiers: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<document type="freeswitch/xml">'
        '<section name="configuration"><configuration name="callcenter.conf" description="CallCenter">'
        f"<settings/><queues>{queues}</queues><agents>{agents}</agents><tiers>{tiers}</tiers>"
        "</configuration></section></document>"
    )


def queue(name: str, **params: object) -> str:
    items = "".join(f'<param name="{k.replace("_", "-")}" value="{v}"/>' for k, v in params.items())
    return f'<queue name="{name}">{items}</queue>'


NEWQ = queue(
    "newq",
    strategy="top-down",
    moh_sound="local_stream://custom",
    time_base_score="system",
    tier_rules_apply="true",
    tier_rule_wait_second=10,
    max_wait_time_with_no_agent=30,
)
DOCUMENT = document(
    NEWQ + queue("otherq", strategy="ring-all"),
    agents='<agent name="ag1" type="callback" contact="user/ag1" status="Available" wrap-up-time="3"/>',
    tiers='<tier agent="ag1" queue="newq" level="2" position="1"/>',
)


@dataclass
class Gateway:
    """A minimal HTTP/1.1 server standing in for the dialer's mod_xml_curl endpoint."""

    answer: str = DOCUMENT
    status: int = 200
    gate: asyncio.Event | None = None  # when set to an unset Event, answers wait for it
    requests: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        line, *lines = head.strip().split("\r\n")
        headers = {k.lower(): v for k, v in (item.split(": ", 1) for item in lines)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        method, target = line.split(" ")[:2]
        self.requests.append((f"{method} {target}", headers, parse_qsl(body.decode(), keep_blank_values=True)))
        if self.gate is not None:
            await self.gate.wait()
        payload = self.answer.encode()
        reply = f"HTTP/1.1 {self.status} X\r\nContent-Type: text/xml\r\nContent-Length: {len(payload)}\r\n"
        writer.write(reply.encode() + b"Connection: close\r\n\r\n" + payload)
        await writer.drain()
        writer.close()


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    found = Gateway()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/fs/xml?binding=cc"
    yield found
    server.close()


@pytest.fixture
async def node(gateway: Gateway) -> AsyncIterator[SimNode]:
    sim = SimNode(sim_config(), password="s3cret", xml_curl=XmlCurlConfig(gateway.url, "fs:secret"))
    await sim.start()
    yield sim
    await sim.stop()


async def connect(sim: SimNode) -> RawEsl:
    client = await RawEsl.connect(sim.port)
    assert (await client.send("auth s3cret"))[0]["Reply-Text"] == "+OK accepted"
    return client


async def api(client: RawEsl, command: str) -> str:
    headers, body = await client.send(f"api {command}")
    assert headers["Content-Type"] == "api/response"
    return body.decode()


def rows(listing: str) -> dict[str, dict[str, str]]:
    header, *lines = listing.splitlines()
    return {line.split("|")[0]: dict(zip(header.split("|"), line.split("|"), strict=True)) for line in lines[:-1]}


async def test_queue_load_fetches_the_queue_and_its_agents_and_tiers(gateway: Gateway, node: SimNode) -> None:
    client = await connect(node)
    try:
        assert await api(client, "callcenter_config queue load newq") == "+OK\n"
        listing = await api(client, "callcenter_config queue list")
        assert listing.splitlines()[0] == QUEUE_COLUMNS and listing.endswith("+OK\n")
        newq = rows(listing)["newq"]
        assert len(newq) == 19
        assert newq["strategy"] == "top-down" and newq["moh_sound"] == "local_stream://custom"
        assert newq["time_base_score"] == "system" and newq["tier_rules_apply"] == "true"
        assert newq["tier_rule_wait_second"] == "10" and newq["tier_rule_no_agent_no_wait"] == "true"
        assert newq["max_wait_time_with_no_agent"] == "30" and newq["max_wait_time_with_no_agent_time_reached"] == "5"
        assert newq["discard_abandoned_after"] == "60" and newq["agent_no_answer_status"] == "On Break"
        assert newq["record_template"] == "" and newq["calls_answered"] == "0"
        assert "otherq" not in rows(listing)  # only the queue asked for is loaded
        # load_queue(name, request_agents, request_tiers) imported the document's agents and tiers.
        agent = rows(await api(client, "callcenter_config agent list"))["ag1"]
        assert (agent["contact"], agent["status"], agent["wrap_up_time"]) == ("user/ag1", "Available", "3")
        assert "newq|ag1|Ready|2|1" in await api(client, "callcenter_config tier list")

        [(request, headers, fields)] = gateway.requests
        assert request == "POST /fs/xml?binding=cc"
        assert headers["content-type"] == "application/x-www-form-urlencoded"
        assert headers["user-agent"] == "freeswitch-xml/1.0"
        assert headers["authorization"] == "Basic " + base64.b64encode(b"fs:secret").decode()
        assert fields[:5] == [
            ("hostname", "sim-fs1"),
            ("section", "configuration"),
            ("tag_name", "configuration"),
            ("key_name", "name"),
            ("key_value", "callcenter.conf"),
        ]
        event = dict(fields[5:])
        assert [name for name, _ in fields[5:9]] == [
            "Event-Name",
            "Core-UUID",
            "FreeSWITCH-Hostname",
            "FreeSWITCH-Switchname",
        ]
        assert event["Event-Name"] == "REQUEST_PARAMS" and event["Core-UUID"] == node.switch.core_uuid  # type: ignore[union-attr]
        assert event["Event-Calling-File"] == "mod_callcenter.c" and event["Event-Calling-Function"] == "load_queue"
        assert fields[-1] == ("CC-Queue", "newq") and "Event-Date-Timestamp" in event

        # queue reload fetches again and takes the new parameters; the queue load of a loaded queue does too.
        gateway.answer = document(queue("newq", strategy="ring-all", moh_sound="silence_stream://-1"))
        assert await api(client, "callcenter_config queue reload newq") == "+OK\n"
        newq = rows(await api(client, "callcenter_config queue list"))["newq"]
        assert (newq["strategy"], newq["moh_sound"], newq["tier_rules_apply"]) == (
            "ring-all",
            "silence_stream://-1",
            "false",
        )
        gateway.answer = document(queue("newq", strategy="random"))
        assert await api(client, "callcenter_config queue load newq") == "+OK\n"
        assert rows(await api(client, "callcenter_config queue list"))["newq"]["strategy"] == "random"
        assert len(gateway.requests) == 3 and dict(gateway.requests[2][2])["CC-Queue"] == "newq"
    finally:
        await client.close()


async def test_not_found_and_failures_fall_back_to_the_static_configuration(gateway: Gateway, node: SimNode) -> None:
    client = await connect(node)
    try:
        gateway.answer = NOT_FOUND
        assert await api(client, "callcenter_config queue load sales") == "+OK\n"  # static: sales is configured
        assert await api(client, "callcenter_config queue load newq") == "-ERR Invalid Queue not found!\n"
        gateway.status, gateway.answer = 500, DOCUMENT  # an HTTP error: the document is not used
        assert await api(client, "callcenter_config queue load newq") == "-ERR Invalid Queue not found!\n"
        assert await api(client, "callcenter_config queue reload support") == "+OK\n"
        gateway.status, gateway.answer = 200, "<document><section name="  # unparsable
        assert await api(client, "callcenter_config queue load newq") == "-ERR Invalid Queue not found!\n"
        gateway.answer = '<document type="freeswitch/xml"><section name="dialplan"/></document>'  # no callcenter.conf
        assert await api(client, "callcenter_config queue load sales") == "+OK\n"
        assert node.xml_curl is not None and node.xml_curl.misses == 6

        # A callcenter.conf without the queue is an answer, not a miss: no fallback for that queue.
        gateway.answer = document(queue("otherq"))
        assert await api(client, "callcenter_config queue load sales") == "-ERR Invalid Queue not found!\n"
        assert "sales" in rows(await api(client, "callcenter_config queue list"))  # a failed load keeps it
        assert await api(client, "callcenter_config queue reload sales") == "-ERR Invalid Queue not found!\n"
        assert "sales" not in rows(await api(client, "callcenter_config queue list"))  # reload destroyed it first
        # tier add of a queue that is not loaded loads it (get_queue), from the binding too.
        assert await api(client, "callcenter_config agent add t1 callback") == "+OK\n"
        assert await api(client, "callcenter_config tier add otherq t1") == "+OK\n"
        assert await api(client, "callcenter_config tier add ghost t1") == "-ERR Queue not found!\n"
        assert [dict(fields)["CC-Queue"] for _, _, fields in gateway.requests[-4:]] == [
            "sales",
            "sales",
            "otherq",
            "ghost",
        ]
    finally:
        await client.close()
    down = SimNode(sim_config(), xml_curl=XmlCurlConfig("http://127.0.0.1:9/", timeout=2))  # nothing listens
    await down.start()
    try:
        replies: list[str] = []
        down.switch.api("callcenter_config", "queue load support", replies.append)  # type: ignore[union-attr]
        await asyncio.wait_for(down.xml_curl.drain(), 5)  # type: ignore[union-attr]
        assert replies == ["+OK\n"]
    finally:
        await down.stop()


async def test_the_api_answers_after_the_fetch_and_later_commands_wait(gateway: Gateway, node: SimNode) -> None:
    gateway.gate = asyncio.Event()
    client = await connect(node)
    try:
        client.writer.write(b"api callcenter_config queue load newq\n\napi hostname\n\n")
        await client.writer.drain()
        with pytest.raises(TimeoutError):
            await client.frame(timeout=0.3)  # FreeSWITCH reads nothing more on that socket meanwhile
        gateway.gate.set()
        assert (await client.frame())[1] == b"+OK\n"
        assert (await client.frame())[1] == b"sim-fs1"
    finally:
        await client.close()


def ignore(_: str) -> None:
    pass


def run_call(switch: Switch, clock: VirtualClock, queue_name: str, seconds: float) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    switch.subscribers.append(events.append)
    switch.api(
        "originate", f"{{origination_uuid=m-{queue_name}}}sofia/gateway/slow/1555 &callcenter({queue_name})", ignore
    )
    clock.advance(seconds)
    switch.subscribers.remove(events.append)
    return [e for e in events if e.get("Event-Subclass") == "callcenter::info"]


def at(events: list[dict[str, str]], action: str) -> tuple[float, dict[str, str]]:
    event = next(e for e in events if e["CC-Action"] == action)
    return int(event["Event-Date-Timestamp"]) / 1e6, event


def test_a_synchronous_source_on_a_virtual_clock_and_the_queue_rules() -> None:
    clock = VirtualClock()
    switch = Switch(clock, sim_config())
    looked_up: list[tuple[str, dict[str, str]]] = []
    conf = document(
        queue("tiered", tier_rules_apply="yes", tier_rule_wait_second=10, tier_rule_wait_multiply_level="true")
        + queue("lonely", max_wait_time_with_no_agent=3, max_wait_time_with_no_agent_time_reached=2)
        + queue("short", max_wait_time=4, tier_rule_wait_second="soon"),
        agents='<agent name="t1" type="callback" status="On Break"/>'
        '<agent name="t2" type="callback" status="Available"/>',
        tiers='<tier agent="t1" queue="tiered" level="1"/><tier agent="t2" queue="tiered" level="2"/>',
    )

    def source(name: str, params: dict[str, str], found: object) -> None:
        looked_up.append((name, dict(params)))
        found(locate(conf, "configuration", "configuration", "name", name))  # type: ignore[operator]

    switch.config_source = source
    replies: list[str] = []
    for name in ("tiered", "lonely", "short"):
        switch.api("callcenter_config", f"queue load {name}", replies.append)
    assert replies == ["+OK\n"] * 3  # answered at once: no event loop involved
    assert [(name, params["CC-Queue"]) for name, params in looked_up] == [
        ("callcenter.conf", "tiered"),
        ("callcenter.conf", "lonely"),
        ("callcenter.conf", "short"),
    ]
    assert switch.callcenter.queues["short"].params.tier_rule_wait_second == 0  # invalid: the default

    # Tier rules: level 1 has an agent (On Break), so level 2 is reached after 2 x 10 s, not at once.
    events = run_call(switch, clock, "tiered", 40)
    joined, _ = at(events, "member-queue-start")
    bridged, start = at(events, "bridge-agent-start")
    assert start["CC-Agent"] == "t2" and 20 <= bridged - joined < 21

    # max-wait-time-with-no-agent 3 plus the join grace of 2: out after 5 s, with the reason.
    events = run_call(switch, clock, "lonely", 10)
    joined, _ = at(events, "member-queue-start")
    left, end = at(events, "member-queue-end")
    assert (end["CC-Cause"], end["CC-Cancel-Reason"]) == ("Cancel", "NO_AGENT_TIMEOUT") and 5 <= left - joined < 6
    assert switch.channels["m-lonely"].variables["cc_cancel_reason"] == "NO_AGENT_TIMEOUT"  # the call goes on
    assert switch.callcenter.queues["lonely"].calls_abandoned == 1

    events = run_call(switch, clock, "short", 10)
    joined, _ = at(events, "member-queue-start")
    left, end = at(events, "member-queue-end")
    assert end["CC-Cancel-Reason"] == "TIMEOUT" and 4 <= left - joined < 5
    clock.advance(120)
    assert clock.pending == 0  # no queue keeps polling once it has no waiting member


def test_request_body_encodes_event_values_only() -> None:
    body = request_body(
        "fs 1", "configuration", "configuration", "name", "callcenter.conf", {"CC-Queue": "a b&c", "X": ""}
    )
    assert body == (
        "hostname=fs 1&section=configuration&tag_name=configuration&key_name=name&key_value=callcenter.conf"
        "&CC-Queue=a%20b%26c&X="
    )
    only = request_body("h", "s", "t", "k", "v", {"A": "1", "B": "2"}, post_vars=("B",))
    assert only == "hostname=h&section=s&tag_name=t&key_name=k&key_value=v&B=2"


async def test_cluster_nodes_and_the_sim_command_take_the_binding(gateway: Gateway) -> None:
    gateway.answer = document(NEWQ)
    cluster = SimCluster(2, xml_curl=XmlCurlConfig(gateway.url))
    await cluster.start()
    try:
        for sim in cluster.nodes:
            replies: list[str] = []
            sim.switch.api("callcenter_config", "queue load newq", replies.append)  # type: ignore[union-attr]
            await asyncio.wait_for(sim.xml_curl.drain(), 5)  # type: ignore[union-attr]
            assert replies == ["+OK\n"]
    finally:
        await cluster.stop()
    assert [dict(fields)["hostname"] for _, _, fields in gateway.requests] == ["sim-fs1", "sim-fs2"]
    assert all("authorization" not in headers for _, headers, _ in gateway.requests)

    said: list[str] = []
    task = asyncio.create_task(run_simulator(1, 0, "pw", (), "3", None, said.append, gateway.url, "u:p"))
    try:
        while len(said) < 2:
            await asyncio.sleep(0.01)
        [address] = parse_freeswitch(said[1].removeprefix("DIALER_FREESWITCH="))
        client = await RawEsl.connect(address.port)
        await client.send("auth pw")
        assert await api(client, "callcenter_config queue load newq") == "+OK\n"
        await client.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert gateway.requests[-1][1]["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    usage = CliRunner().invoke(main, ["sim", "--help"]).output
    assert "--xml-curl-url" in usage and "--xml-curl-cred" in usage
