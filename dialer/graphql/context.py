"""What every resolver gets as `info.context`: who is asking, from where, and the live services
the composition root hands down (the GraphQL layer never imports `dialer.app`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dialer.graphql.errors import Unauthorized
from dialer.graphql.permissions import Principal
from dialer.graphql.phones import PhoneParser


class Publisher(Protocol):
    async def __call__(self, channel: str, message: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class RuntimeFigures:
    """A campaign's live KPIs (definitions in README, "Live figures")."""

    asr5m: float = 0.0
    acd: float = 0.0
    cps: float = 0.0
    cc: int = 0
    abandon60s: float = 0.0
    # Why a running campaign launches no call now (no agent, no lead in its hours...), else None.
    reason: str | None = None


class CampaignRunner(Protocol):
    """The dialing side of a campaign, as the API sees it."""

    async def started(self, campaign_id: int) -> None: ...
    async def paused(self, campaign_id: int) -> None: ...
    async def stopped(self, campaign_id: int) -> None: ...
    def figures(self, campaign_id: int) -> RuntimeFigures: ...


@dataclass
class AuditScope:
    """Filled by a mutation's service while it runs; written as one audit row in its transaction."""

    action: str
    target_type: str = ""
    target_id: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def target(self, target_type: str, target_id: str, **details: Any) -> None:
        self.target_type, self.target_id = target_type, target_id
        self.details.update(details)


class Switchboard(Protocol):
    """The FreeSWITCH side as the API sees it: the cluster, mod_callcenter sync, live agent state."""

    async def callcenter_changed(self) -> None:
        """Queues, agents or tiers changed: bring every node up to date (in the background)."""

    def agent_status(self, name: str) -> str | None:
        """What the agent is doing now (agent.update's status), or None if no node reported it."""

    def trunk_live(self, trunk: str) -> tuple[float, float]:
        """(asr5m, cps) of the trunk: the live view's trunk scope (dialer.engine.kpi), as its kpi.tick says."""

    async def probe(self, trunk: str, e164: str, timeout: int) -> dict[str, Any]:
        """A test call through the trunk: node, answered, sip_status, pdd_ms, hangup_cause, q850, duration_ms."""

    def report(self) -> dict[str, Any]:
        """Nodes, their state and the last sync and watchdog results (for the integration checklist)."""

    def config_fetched(self, node: str, name: str) -> None:
        """A node fetched a configuration document (mod_xml_curl)."""


@dataclass(frozen=True)
class Deployment:
    """How this service is reached and by whom (for the FreeSWITCH-facing endpoints)."""

    public_url: str = "http://127.0.0.1:8080"
    # Addresses allowed to post CDRs and fetch configuration (DIALER_FS_ALLOW).
    fs_allowlist: tuple[Any, ...] = ()
    # Controller addresses to admit to the Event Socket, for the guide's ACL.
    controllers: tuple[str, ...] = ("127.0.0.1",)


class ImportRunner(Protocol):
    """Runs lead-import jobs in the background of the serving process."""

    def start(self, job_id: int) -> None: ...


@dataclass
class Context:
    principal: Principal | None
    client_ip: str | None
    publish: Publisher
    runner: CampaignRunner
    imports: ImportRunner
    switchboard: Switchboard
    deployment: Deployment
    phones: PhoneParser
    # Where uploads wait for their import job (DIALER_DATA_DIR/imports).
    uploads: Path
    # A broadcaster channel's subscriber: `async with context.subscribe("jobs") as events`.
    subscribe: Callable[[str], AbstractAsyncContextManager[Any]]
    # Why the presented credentials were refused ("token expired"), reported when an operation needs them.
    auth_error: str | None = None
    # graphql-transport-ws connection_init payload: browsers send {"Authorization": "Bearer ..."} here.
    connection_params: dict[str, Any] | None = None
    audit: AuditScope | None = None
    # Work to do once the current mutation's transaction has committed (announcements).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Work to do once the current mutation's transaction has rolled back (what must outlive a refusal).
    after_rollback: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def actor(self) -> Principal:
        if self.principal is None:
            raise Unauthorized(self.auth_error or "missing bearer token")
        return self.principal

    def announce(self, channel: str, message: dict[str, Any]) -> None:
        self.after_commit.append(lambda: self.publish(channel, message))
