"""FreeSWITCH fixtures: simulated nodes on loopback, fast deterministic call models, a raw ESL
client for protocol-level checks, and the controller's Node connected to a simulated node."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from dialer.freeswitch.events import Event, Subscription
from dialer.freeswitch.node import Node, NodeConfig
from dialer.freeswitch.sim import Dist, SimNode, SwitchConfig, TrunkModel

FAST = {
    "pdd": Dist("fixed", 0.01),
    "ring": Dist("fixed", 0.02),
    "sit_after": Dist("fixed", 0.02),
    "talk": Dist("fixed", 0.08),
    "voicemail_talk": Dist("fixed", 0.1),
    "fax_talk": Dist("fixed", 0.1),
    "amd_delay": Dist("fixed", 0.01),
    "beep_after": Dist("fixed", 0.03),
}
NONE = {"human": 0, "voicemail": 0, "fax": 0, "busy": 0, "no_answer": 0, "sit": 0, "sip_failures": {}}


def only(outcome: str, **extra: object) -> TrunkModel:
    """A trunk where every call has this outcome (`sip:480` for a SIP failure)."""
    shares: dict[str, object] = {**NONE, **FAST, "amd_accuracy": 1.0, **extra}
    if outcome.startswith("sip:"):
        shares["sip_failures"] = {int(outcome[4:]): 1.0}
    else:
        shares[outcome] = 1.0
    return TrunkModel(**shares)  # type: ignore[arg-type]


TRUNKS = {
    "human": only("human", early_media=1.0),
    "ringing": only("human", early_media=0.0),
    "voicemail": only("voicemail"),
    "fax": only("fax"),
    "busy": only("busy"),
    "no_answer": only("no_answer", early_media=0.0),
    "sit": only("sit"),
    "sip404": only("sip:404"),
    "sip480": only("sip:480"),
    "sip503": only("sip:503"),
    "slow": only("human", talk=Dist("fixed", 30.0)),
}


def sim_config(**overrides: object) -> SwitchConfig:
    return SwitchConfig(seed=7, trunks=TRUNKS, agent_answer_delay=0.02, **overrides)  # type: ignore[arg-type]


@pytest.fixture
async def sim() -> AsyncIterator[SimNode]:
    node = SimNode(sim_config(), password="s3cret")
    await node.start()
    yield node
    await node.stop()


@pytest.fixture
async def node(sim: SimNode) -> AsyncIterator[Node]:
    controller = Node(NodeConfig("fs1", sim.host, sim.port, "s3cret", lost_after=1.0))
    await controller.start()
    yield controller
    await controller.close()


async def next_event(events: Subscription, match: Callable[[Event], bool], timeout: float = 5.0) -> Event:
    async def find() -> Event:
        async for event in events:
            if match(event):
                return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(find(), timeout)


class RawEsl:
    """A bare ESL client over asyncio streams: send a command, read one frame."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> RawEsl:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        assert (await client.frame())[0]["Content-Type"] == "auth/request"
        return client

    async def frame(self, timeout: float = 5.0) -> tuple[dict[str, str], bytes]:
        head = await asyncio.wait_for(self.reader.readuntil(b"\n\n"), timeout)
        headers = dict(line.split(": ", 1) for line in head.decode().strip().split("\n"))
        length = int(headers.get("Content-Length", 0))
        body = await asyncio.wait_for(self.reader.readexactly(length), timeout) if length else b""
        return headers, body

    async def send(self, command: str) -> tuple[dict[str, str], bytes]:
        self.writer.write(command.encode() + b"\n\n")
        await self.writer.drain()
        return await self.frame()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
