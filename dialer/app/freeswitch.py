"""The FreeSWITCH side of the process: the cluster controller, and the built-in simulator when
DIALER_FREESWITCH=sim (one simulated node in this process, on a free loopback port)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from dialer.app.settings import Settings
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.node import NodeConfig
from dialer.freeswitch.sim import JsonCdrConfig, SimCluster, SimNode, SwitchConfig, TrunkModel

log = logging.getLogger(__name__)


@dataclass
class FreeSwitch:
    cluster: Cluster
    simulator: SimNode | None = None

    async def stop(self) -> None:
        await self.cluster.close()
        if self.simulator is not None:
            await self.simulator.stop()


async def start_freeswitch(settings: Settings) -> FreeSwitch:
    simulator = None
    nodes = [NodeConfig(f"fs{i + 1}", n.host, n.port, n.password) for i, n in enumerate(settings.freeswitch_nodes)]
    if not nodes:
        simulator = SimNode()
        await simulator.start()
        nodes = [NodeConfig(simulator.config.hostname, simulator.host, simulator.port, simulator.password)]
        log.info("FreeSWITCH simulator listening on %s", simulator.url)
    cluster = Cluster(nodes)
    await cluster.start()
    return FreeSwitch(cluster, simulator)


async def run_simulator(
    count: int,
    port: int,
    password: str,
    cdr_urls: Sequence[str],
    seed: str,
    trunks_file: str | None,
    say: Callable[[str], None],
) -> None:
    """`dialer sim`: a simulated cluster, standalone, until cancelled."""
    trunks = {}
    if trunks_file:
        for name, model in orjson.loads(Path(trunks_file).read_bytes()).items():
            trunks[name] = TrunkModel.from_mapping(model)
    config = SwitchConfig(seed=seed, trunks=trunks)
    cluster = SimCluster(count, port, password, config, JsonCdrConfig(urls=tuple(cdr_urls)))
    await cluster.start()
    try:
        for node in cluster.nodes:
            say(f"{node.config.hostname} {node.url}")
        say("DIALER_FREESWITCH=" + ",".join(node.url for node in cluster.nodes))
        await asyncio.Event().wait()
    finally:
        await cluster.stop()
