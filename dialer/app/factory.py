"""The ASGI application: GraphQL at /graphql, REST v1 and its OpenAPI document at /api/v1."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from dialer import __version__
from dialer.app.auth import Authenticator
from dialer.app.broadcast import BroadcastUnavailable, make_broadcast
from dialer.app.database import tortoise_config
from dialer.app.dialing import Dialer
from dialer.app.freeswitch import start_freeswitch
from dialer.app.imports import ImportWorker
from dialer.app.leader import Leader
from dialer.app.leases import Lease
from dialer.app.limits import LimitedBody
from dialer.app.live import LiveView
from dialer.app.settings import Settings, load_settings
from dialer.app.switchboard import Switchboard
from dialer.freeswitch.cluster import Cluster
from dialer.freeswitch.sim import SimNode
from dialer.graphql.context import CampaignRunner, Context, Deployment
from dialer.graphql.integrations.service import configuration_document
from dialer.graphql.permissions import Principal, Role
from dialer.graphql.phones import PhoneParser
from dialer.graphql.reports.history import AgentHistory
from dialer.graphql.schema import DialerSchema
from dialer.graphql.schema import schema as default_schema
from dialer.openapi import build_document
from dialer.rest_compat.errors import envelope, http_exception, unhandled
from dialer.rest_compat.routes import ROUTES
from dialer.rest_compat.shim import compile_routes, starlette_routes
from dialer.rest_compat.ws import WsBridge

log = logging.getLogger(__name__)
LIVE_LEASE_TTL = 6.0  # the longest pause of the live channels when their publishing replica dies


def _controllers(settings: Settings) -> tuple[str, ...]:
    """The address FreeSWITCH should admit to its Event Socket: this host, if the public URL names it."""
    host = urlsplit(settings.base_url).hostname or "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ("127.0.0.1",)
    return (host,)


class Services:
    """What lives as long as the process: the broadcaster, the authenticator, the runner, and
    (once the lifespan has started it) the FreeSWITCH cluster controller."""

    def __init__(self, settings: Settings, runner: CampaignRunner) -> None:
        self.settings = settings
        self.authenticator = Authenticator(settings)
        self.broadcast = make_broadcast(settings.broadcast_url)
        self.runner = runner
        self.freeswitch: Cluster | None = None
        self.switchboard: Switchboard | None = None
        self.live: LiveView | None = None
        # The agents' status history for the reports, fed by the switchboard's agent board.
        self.agent_history = AgentHistory()
        # The embedded simulator, when DIALER_FREESWITCH=sim (tests reach into it).
        self.simulator: SimNode | None = None
        self.deployment = Deployment(
            public_url=settings.base_url, fs_allowlist=settings.fs_networks, controllers=_controllers(settings)
        )
        self.phones = PhoneParser(settings.default_region)
        self.uploads = Path(settings.data_dir) / "imports"
        self.imports = ImportWorker(self.phones, self.publish, self.uploads)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Best effort: an announcement lost to a broadcaster outage is logged, never an error for the
        work that made it (a stored CDR, a finished import chunk); subscribers are told of the gap."""
        try:
            await self.broadcast.publish(channel=channel, message=orjson.dumps(message).decode())
        except BroadcastUnavailable as lost:
            log.warning("announcement lost: %s", lost)

    async def context_for(self, connection: HTTPConnection) -> Context:
        outcome = await self.authenticator.authenticate(connection.headers.get("authorization"))
        return Context(
            principal=outcome.principal,
            auth_error=outcome.error,
            client_ip=connection.client.host if connection.client else None,
            publish=self.publish,
            runner=self.runner,
            imports=self.imports,
            phones=self.phones,
            uploads=self.uploads,
            subscribe=self.broadcast.subscribe,
            switchboard=self.switchboard,  # type: ignore[arg-type]  # set by the lifespan before any request
            deployment=self.deployment,
        )

    async def principal_of(self, credential: str | None) -> tuple[Principal | None, str | None]:
        outcome = await self.authenticator.authenticate(credential)
        return outcome.principal, outcome.error

    async def authenticate_socket(self, context: Context) -> None:
        """Browsers cannot set headers on a WebSocket: they send the token in connection_init."""
        params = context.connection_params or {}
        credential = params.get("Authorization") or params.get("authorization")
        if context.principal is None and isinstance(credential, str):
            outcome = await self.authenticator.authenticate(credential)
            context.principal, context.auth_error = outcome.principal, outcome.error


class DialerGraphQL(GraphQL):
    def __init__(self, schema: DialerSchema, services: Services) -> None:
        super().__init__(schema, graphql_ide="graphiql", multipart_uploads_enabled=True)
        self.services = services

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return await self.services.context_for(request)

    async def on_ws_connect(self, context: Context) -> None:
        await self.services.authenticate_socket(context)


async def health(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as down:  # report, never raise: this is what monitoring polls
        log.warning("health: database unreachable: %s", down)
        return envelope("server_error", "database unreachable", {"database": str(down)[:200]})
    return JSONResponse({"status": "ok", "database": "ok", "version": __version__})


def create_app(settings: Settings | None = None, runner: CampaignRunner | None = None) -> Starlette:
    settings = settings or load_settings()
    dialer = Dialer(settings.safe_harbor_seconds, settings.safe_harbor_audio, settings.undisposed_after)
    in_memory = settings.broadcast_url.startswith("memory://")
    leader = Leader(None if in_memory else Lease(ttl=LIVE_LEASE_TTL))
    services = Services(settings, runner or dialer)
    graphql_schema = default_schema._schema
    compiled = compile_routes(graphql_schema, ROUTES)
    document = orjson.dumps(build_document(graphql_schema, compiled))
    graphql_app = DialerGraphQL(default_schema, services)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise, not Tortoise.init: its global fallback makes the ORM visible to request
        # handlers, which run outside the lifespan's context (STACK-FACTS, Tortoise trap 1).
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            await services.broadcast.connect()
            services.imports.open()
            freeswitch = None
            try:
                freeswitch = await start_freeswitch(
                    settings,
                    render=configuration_document,
                    cdr_secret=services.authenticator.issue_internal("simulator", Role.integration),
                    app=app,
                )
                services.freeswitch = freeswitch.cluster
                services.simulator = freeswitch.simulator
                # Every replica hears every event; one publishes them (dialer.app.leader).
                leader.start()
                live_publish = leader.gate(services.publish)
                # One set of KPI windows: the live view feeds it, provider health and runtime read it.
                services.live = LiveView(live_publish)
                services.switchboard = Switchboard(
                    freeswitch.cluster,
                    live_publish,
                    settings.watchdog_interval,
                    settings.stuck_after,
                    services.live.board,
                )
                # Every replica sees each change; the one that publishes also writes it down, once.
                services.switchboard.board.on_status = leader.only_while_leading(services.agent_history.record)
                services.agent_history.start()
                services.switchboard.start()
                services.live.start(freeswitch.cluster.events())
                services.switchboard.handle_listeners.append(dialer.handled)
                await dialer.open(
                    freeswitch.cluster,
                    services.switchboard.agent_status,
                    services.switchboard.agent_busy_for,
                    services.live.board,
                )
                yield
            finally:
                await dialer.close()
                await leader.close()
                if services.live is not None:
                    await services.live.close()
                if services.switchboard is not None:
                    await services.switchboard.close()
                await services.agent_history.close()
                if freeswitch is not None:
                    await freeswitch.stop()
                await services.imports.close()
                await services.broadcast.disconnect()

    async def openapi(request: Request) -> Response:
        return Response(document, media_type="application/json")

    api = [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *starlette_routes(
            graphql_schema, compiled, services.context_for, (settings.max_body_bytes, settings.max_upload_bytes)
        ),
    ]
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["*"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    live = WsBridge(services.principal_of, lambda channel: services.broadcast.subscribe(channel=channel))
    app = Starlette(
        routes=[
            WebSocketRoute("/ws", live.endpoint),
            WebSocketRoute("/api/v1/ws", live.endpoint),
            Mount("/api/v1", routes=api),
            Route("/graphql", LimitedBody(graphql_app, settings.max_body_bytes), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_exception, Exception: unhandled},
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.openapi = document
    return app
