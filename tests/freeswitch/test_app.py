"""How the application starts the FreeSWITCH side: `dialer sim`, and the lifespan's cluster."""

from __future__ import annotations

import asyncio

from dialer.app.freeswitch import run_simulator, start_freeswitch
from dialer.app.settings import Settings, parse_freeswitch
from dialer.freeswitch.node import Node, NodeConfig


async def test_sim_command_prints_each_node_and_serves_esl() -> None:
    said: list[str] = []
    task = asyncio.create_task(run_simulator(2, 0, "pw", (), "3", None, said.append))
    try:
        while len(said) < 3:
            await asyncio.sleep(0.01)
        assert said[0].startswith("sim-fs1 esl://:pw@127.0.0.1:") and said[1].startswith("sim-fs2 ")
        nodes = parse_freeswitch(said[2].removeprefix("DIALER_FREESWITCH="))
        assert len(nodes) == 2
        node = Node(NodeConfig("fs2", nodes[1].host, nodes[1].port, nodes[1].password))
        await node.start()
        assert (await node.api("hostname")) == "sim-fs2"
        await node.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_default_settings_start_an_in_process_simulator() -> None:
    freeswitch = await start_freeswitch(Settings())
    try:
        assert freeswitch.simulator is not None
        [node] = freeswitch.cluster.nodes.values()
        assert node.up and (await freeswitch.cluster.api("eval up")) == {node.name: "up"}
    finally:
        await freeswitch.stop()


async def test_esl_urls_connect_to_those_nodes() -> None:
    simulated = await start_freeswitch(Settings())
    assert simulated.simulator is not None
    url = simulated.simulator.url
    try:
        real = await start_freeswitch(Settings(freeswitch=url, freeswitch_nodes=parse_freeswitch(url)))
        try:
            assert real.simulator is None and [n.up for n in real.cluster.nodes.values()] == [True]
        finally:
            await real.stop()
    finally:
        await simulated.stop()
