"""A simulated FreeSWITCH node (switch + Event Socket + mod_json_cdr + mod_xml_curl), and several of them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from dialer.freeswitch.sim.cdr import CdrPoster, JsonCdrConfig
from dialer.freeswitch.sim.clock import LoopClock
from dialer.freeswitch.sim.esl import EslServer
from dialer.freeswitch.sim.switch import Switch, SwitchConfig
from dialer.freeswitch.sim.xml_curl import XmlCurl, XmlCurlConfig


class SimNode:
    def __init__(
        self,
        config: SwitchConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        password: str = "ClueCon",
        cdr: JsonCdrConfig | None = None,
        xml_curl: XmlCurlConfig | None = None,
    ) -> None:
        self.config = config or SwitchConfig()
        self.host, self.port, self.password = host, port, password
        self.cdr = CdrPoster(cdr or JsonCdrConfig())
        # With a binding, `queue load|reload` asks it for callcenter.conf before the static config.
        self.xml_curl = XmlCurl(xml_curl) if xml_curl is not None else None
        self.switch: Switch | None = None
        self.server: EslServer | None = None

    @property
    def url(self) -> str:
        return f"esl://:{self.password}@{self.host}:{self.port}"

    async def start(self) -> None:
        self.switch = Switch(LoopClock(), self.config)
        self.switch.cdr_sink = self.cdr.submit
        if self.xml_curl is not None:
            self.switch.config_source = self.xml_curl.source
        self.server = EslServer(self.switch, self.host, self.port, self.password)
        await self.server.start()
        self.port = self.server.port

    async def stop(self, graceful: bool = True) -> None:
        if self.server is not None:
            await self.server.stop("The system is being shut down.\n" if graceful else None)
            self.server = None
        await self.cdr.close()
        if self.xml_curl is not None:
            await self.xml_curl.close()

    async def restart(self, down_for: float = 0.0) -> None:
        """Crash (sockets dropped, channels gone without events) and come back on the same port."""
        assert self.server is not None and self.switch is not None
        await self.server.stop(None)
        self.switch.restart()
        self.switch.subscribers.clear()
        if down_for:
            await asyncio.sleep(down_for)
        self.server = EslServer(self.switch, self.host, self.port, self.password)
        await self.server.start()


class SimCluster:
    """`count` nodes on consecutive ports from `port` (0: any free ports), each its own hostname
    and seed, so a cluster run is as reproducible as a single node."""

    def __init__(
        self,
        count: int = 1,
        port: int = 0,
        password: str = "ClueCon",
        config: SwitchConfig | None = None,
        cdr: JsonCdrConfig | None = None,
        host: str = "127.0.0.1",
        xml_curl: XmlCurlConfig | None = None,
    ) -> None:
        base = config or SwitchConfig()
        self.nodes: Sequence[SimNode] = [
            SimNode(
                replace(base, hostname=f"sim-fs{index + 1}", seed=f"{base.seed}/{index}"),
                host,
                port + index if port else 0,
                password,
                cdr,
                xml_curl,
            )
            for index in range(count)
        ]

    async def start(self) -> None:
        for node in self.nodes:
            await node.start()

    async def stop(self) -> None:
        for node in self.nodes:
            await node.stop()
