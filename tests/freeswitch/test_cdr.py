"""mod_json_cdr in the simulator: one POST per finished leg, with the module's parameters."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import orjson
import pytest

from dialer.freeswitch.calls import Originate
from dialer.freeswitch.node import Node, NodeConfig
from dialer.freeswitch.sim import JsonCdrConfig, SimNode
from tests.freeswitch.conftest import sim_config


@dataclass
class Receiver:
    """A minimal HTTP/1.1 server that fails the first `failures` requests with a 500."""

    failures: int = 0
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        line, *lines = head.strip().split("\r\n")
        headers = {k.lower(): v for k, v in (item.split(": ", 1) for item in lines)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        self.requests.append((line.split(" ")[1], headers, body))
        status = "500 Internal Server Error" if len(self.requests) <= self.failures else "200 OK"
        writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()
        self.arrived.set()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(failures=2)
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v1/cdr"
    yield found
    server.close()


async def call_through(sim: SimNode, trunk: str = "human") -> str:
    node = Node(NodeConfig("fs1", sim.host, sim.port))
    await node.start()
    try:
        call = await node.originate(
            Originate("15550001", trunk, campaign_id=9, list_id=1, lead_id=5, caller_id_name="Ventas Q1")
        )
        await asyncio.wait_for(call.ended, 5)
    finally:
        await node.close()
    await asyncio.wait_for(sim.cdr.drain(), 5)
    return call.uuid


async def test_cdr_posted_with_retries_auth_and_encoded_values(receiver: Receiver) -> None:
    config = JsonCdrConfig(urls=(receiver.url,), cred="fs:secret", retries=2, delay=0.05)
    sim = SimNode(sim_config(), cdr=config)
    await sim.start()
    try:
        uuid = await call_through(sim)
    finally:
        await sim.stop()
    assert len(receiver.requests) == 3 and sim.cdr.posted == 1 and sim.cdr.failed == 0
    target, headers, body = receiver.requests[-1]
    assert urlsplit(target).path == "/api/v1/cdr" and parse_qs(urlsplit(target).query) == {"uuid": [uuid]}
    assert headers["user-agent"] == "freeswitch-json/1.0" and headers["content-type"] == "application/json"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"fs:secret").decode()
    cdr = orjson.loads(body)
    variables = cdr["variables"]
    assert variables["origination_caller_id_name"] == "Ventas%20Q1"  # encode-values defaults to true
    assert variables["campaign_id"] == "9" and variables["lead_id"] == "5" and variables["trunk_id"] == "human"
    assert variables["hangup_cause"] == "NORMAL_CLEARING" and cdr["core-uuid"]
    assert cdr["callflow"][0]["times"]["start_epoch"]


async def test_cdr_form_encoding_and_giving_up(receiver: Receiver) -> None:
    receiver.failures = 10
    config = JsonCdrConfig(urls=(receiver.url,), encode="true", encode_values=False, retries=1, delay=0.01)
    sim = SimNode(sim_config(), cdr=config)
    await sim.start()
    try:
        await call_through(sim, "busy")
    finally:
        await sim.stop()
    assert len(receiver.requests) == 2 and sim.cdr.failed == 1
    _, headers, body = receiver.requests[0]
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    cdr = orjson.loads(unquote(body.decode().removeprefix("cdr=")))
    assert cdr["variables"]["hangup_cause"] == "USER_BUSY" and cdr["variables"]["sip_term_status"] == "486"


def test_cdr_params_as_in_json_cdr_conf() -> None:
    config = JsonCdrConfig.from_params({"url": "http://a/cdr,http://b/cdr", "retries": "2", "encode-values": "false"})
    assert config.urls == ("http://a/cdr", "http://b/cdr") and not config.encode_values
    assert config.effective_delay == 5.0  # retries with no delay: mod_json_cdr forces 5 s
