"""The FreeSWITCH side of the process: the cluster controller, and the built-in simulator when
DIALER_FREESWITCH=sim (one simulated node in this process, on a free loopback port)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from starlette.types import ASGIApp

from dialer.app.settings import Settings
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.node import NodeConfig
from dialer.freeswitch.sim import JsonCdrConfig, SimCluster, SimNode, SwitchConfig, TrunkModel, XmlCurlConfig
from dialer.freeswitch.sim.xml_curl import locate

log = logging.getLogger(__name__)


@dataclass
class FreeSwitch:
    cluster: Cluster
    simulator: SimNode | None = None

    async def stop(self) -> None:
        await self.cluster.close()
        if self.simulator is not None:
            await self.simulator.stop()


ConfigRenderer = Callable[[str], Awaitable[str | None]]


def in_process_source(render: ConfigRenderer) -> Callable[[str, Mapping[str, str], Callable[..., None]], None]:
    """The embedded simulator's mod_xml_curl binding, without HTTP: it reads the document the
    /api/v1/fs/config endpoint would answer, from the same function."""

    def source(name: str, params: Mapping[str, str], found: Callable[..., None]) -> None:
        async def lookup() -> None:
            try:
                document = await render(name)
                found(locate(document, "configuration", "configuration", "name", name) if document else None)
            except Exception:
                log.exception("embedded simulator: %s not rendered; static config used", name)
                found(None)

        _pending.add(task := asyncio.get_running_loop().create_task(lookup()))
        task.add_done_callback(_pending.discard)

    return source


_pending: set[asyncio.Task[None]] = set()


# The embedded simulator's CDRs go to this URL through `app` itself, with no network in between.
IN_PROCESS = "http://dialer.internal/api/v1/cdr"


async def start_freeswitch(
    settings: Settings,
    render: ConfigRenderer | None = None,
    cdr_secret: str | None = None,
    app: ASGIApp | None = None,
) -> FreeSwitch:
    """The controller on the configured nodes, or on an embedded simulator that reads its
    callcenter.conf through `render` and posts its CDRs with `cdr_secret`: over HTTP to
    DIALER_SIM_CDR_URL if set (empty: nowhere), else into `app` in-process."""
    simulator = None
    nodes = [NodeConfig(f"fs{i + 1}", n.host, n.port, n.password) for i, n in enumerate(settings.freeswitch_nodes)]
    if not nodes:
        cdr_url = settings.sim_cdr_url if settings.sim_cdr_url is not None else IN_PROCESS
        cdr = JsonCdrConfig(urls=(cdr_url,), cred=f"freeswitch:{cdr_secret}", retries=3, delay=1.0)
        simulator = SimNode(sim_config(settings.sim_trunks), cdr=cdr if cdr_url and cdr_secret else None)
        if cdr_url == IN_PROCESS and app is not None:
            simulator.cdr.transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
        await simulator.start()
        if render is not None and simulator.switch is not None:
            simulator.switch.config_source = in_process_source(render)
        nodes = [NodeConfig(simulator.config.hostname, simulator.host, simulator.port, simulator.password)]
        log.info(
            "FreeSWITCH simulator listening on %s (look inside: dialer esl %s status)", simulator.url, simulator.url
        )
    cluster = Cluster(nodes)
    await cluster.start()
    return FreeSwitch(cluster, simulator)


def sim_config(trunks_file: str | None, seed: str = "0") -> SwitchConfig:
    """Trunk models from a JSON file of name -> model fields; "*" is the model of every other trunk."""
    trunks = {}
    if trunks_file:
        for name, model in orjson.loads(Path(trunks_file).read_bytes()).items():
            trunks[name] = TrunkModel.from_mapping(model)
    default = trunks.pop("*", None)
    return SwitchConfig(seed=seed, trunks=trunks, **({"default_trunk": default} if default else {}))


async def run_simulator(
    count: int,
    port: int,
    password: str,
    cdr_urls: Sequence[str],
    seed: str,
    trunks_file: str | None,
    say: Callable[[str], None],
    xml_curl_url: str | None = None,
    xml_curl_cred: str | None = None,
) -> None:
    """`dialer sim`: a simulated cluster, standalone, until cancelled. With `xml_curl_url` each node
    asks that URL for callcenter.conf (mod_xml_curl) on `callcenter_config queue load|reload`."""
    config = sim_config(trunks_file, seed)
    xml_curl = XmlCurlConfig(xml_curl_url, xml_curl_cred or None) if xml_curl_url else None
    cluster = SimCluster(count, port, password, config, JsonCdrConfig(urls=tuple(cdr_urls)), xml_curl=xml_curl)
    await cluster.start()
    try:
        for node in cluster.nodes:
            say(f"{node.config.hostname} {node.url}")
        say("DIALER_FREESWITCH=" + ",".join(node.url for node in cluster.nodes))
        await asyncio.Event().wait()
    finally:
        await cluster.stop()
