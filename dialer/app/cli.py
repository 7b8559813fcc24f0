"""The `dialer` command: serve, migrate, token create|list|revoke, openapi, sim."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
import orjson
from rich.console import Console
from rich.table import Table

from dialer.app import database, tokens
from dialer.app.cli_leads import leads
from dialer.app.settings import Settings, SettingsError, load_settings
from dialer.graphql.permissions import Role

T = TypeVar("T")
err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as bad:
        raise click.ClickException(str(bad)) from None


def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the ORM up on the configured database, migrations applied."""

    async def run() -> T:
        await database.migrate(settings.database_url)
        await database.open_orm(settings.database_url)
        try:
            return await work()
        finally:
            await database.close()

    return asyncio.run(run())


@click.group()
def main() -> None:
    """Mobilitytech predictive dialer."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (DIALER_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (DIALER_PORT, default 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Apply pending migrations, then serve the API."""
    import uvicorn

    from dialer.app.factory import create_app

    settings = _settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(max(logging.WARNING, logging.getLogger().level))

    async def prepare() -> tokens.IssuedToken | None:
        # A fresh install has no way to authenticate: give it one admin token, printed once.
        if settings.bootstrap_token and not settings.jwt_enabled and await tokens.active_count() == 0:
            return await tokens.create(Role.admin, "bootstrap")
        return None

    issued = _with_database(settings, prepare)
    if issued:
        err.print("[bold]No API token existed, so an admin token was created (shown only now):[/bold]")
        err.print(f"  {issued.secret}")
        err.print(
            f"  Use it as 'Authorization: Bearer <token>'; revoke it with: dialer token revoke {issued.row.public_id}"
        )
    bind_host, bind_port = host or settings.host, port or settings.port
    # The embedded simulator posts its CDRs to the address actually served.
    settings = dataclasses.replace(settings, host=bind_host, port=bind_port)
    err.print(f"GraphQL (GraphiQL in a browser): http://{bind_host}:{bind_port}/graphql")
    err.print(f"REST v1: http://{bind_host}:{bind_port}/api/v1  (OpenAPI: /api/v1/openapi.json)")
    nodes = ", ".join(f"{n.host}:{n.port}" for n in settings.freeswitch_nodes)
    err.print(f"FreeSWITCH: {nodes or 'built-in simulator, one node in this process (DIALER_FREESWITCH=sim)'}")
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level=settings.log_level, proxy_headers=True)


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    applied = asyncio.run(database.migrate(_settings().database_url))
    click.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


@main.group()
def token() -> None:
    """Opaque API tokens (rotate: create a new one, then revoke the old)."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Who or what uses it; audit entries name it. Default: the role.")
@click.option("--expires-in", default=None, help="Lifetime such as 90m, 12h, 30d, 1d12h. Default: no expiry.")
def token_create(role: str, name: str | None, expires_in: str | None) -> None:
    """Create a token and print it as the last line."""
    try:
        lifetime = tokens.parse_duration(expires_in) if expires_in else None
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--expires-in") from None
    name = (name or role).strip()
    if not name or len(name) > 100:
        raise click.BadParameter("must be 1-100 characters", param_hint="--name")
    issued = _with_database(_settings(), lambda: tokens.create(Role(role), name, lifetime))
    expiry = issued.row.expires_at.isoformat() if issued.row.expires_at else "never"
    err.print(
        f"created {issued.row.public_id} ({role}, name {name!r}, expires {expiry}); the token follows, shown once:"
    )
    click.echo(issued.secret)


@token.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    rows = _with_database(_settings(), tokens.listing)
    table = Table("id", "name", "role", "prefix", "created", "expires", "state")
    for row in rows:
        table.add_row(
            row.public_id,
            row.name,
            row.role,
            row.prefix + "…",
            row.created_at.strftime("%Y-%m-%d %H:%M"),
            row.expires_at.strftime("%Y-%m-%d %H:%M") if row.expires_at else "never",
            tokens.state_of(row),
        )
    Console(width=200).print(table)


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token by id (tok_N); it stops working at once."""
    try:
        row = _with_database(_settings(), lambda: tokens.revoke(token_id))
    except LookupError as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(f"revoked {row.public_id} ({row.name})")


@main.command()
def openapi() -> None:
    """Print the OpenAPI document of REST v1."""
    from dialer.app.factory import create_app

    app = create_app(_settings())
    sys.stdout.write(orjson.dumps(orjson.loads(app.state.openapi), option=orjson.OPT_INDENT_2).decode() + "\n")


@main.command()
@click.option("--nodes", default=1, show_default=True, type=click.IntRange(1, 64), help="Simulated nodes.")
@click.option(
    "--esl-port", default=8021, show_default=True, type=click.IntRange(0, 65535), help="First node's ESL port (0: any)."
)
@click.option("--password", default="ClueCon", show_default=True, help="ESL password of every node.")
@click.option("--cdr-url", multiple=True, help="mod_json_cdr URL to POST each CDR to (repeatable).")
@click.option("--seed", default="0", show_default=True, help="Seed of the call models.")
@click.option("--trunks", type=click.Path(exists=True, dir_okay=False), help="JSON file: trunk name -> call model.")
@click.option("--xml-curl-url", help="mod_xml_curl gateway-url: nodes fetch callcenter.conf there on queue load.")
@click.option("--xml-curl-cred", help="mod_xml_curl gateway-credentials, user:pass (basic auth).")
def sim(
    nodes: int,
    esl_port: int,
    password: str,
    cdr_url: tuple[str, ...],
    seed: str,
    trunks: str | None,
    xml_curl_url: str | None,
    xml_curl_cred: str | None,
) -> None:
    """Run a simulated FreeSWITCH cluster on 127.0.0.1 until interrupted."""
    from dialer.app.freeswitch import run_simulator

    try:
        simulator = run_simulator(
            nodes, esl_port, password, cdr_url, seed, trunks, click.echo, xml_curl_url, xml_curl_cred
        )
        asyncio.run(simulator)
    except KeyboardInterrupt:
        pass
    except (OSError, ValueError) as bad:
        raise click.ClickException(str(bad)) from None


@main.command()
@click.argument("url")
@click.argument("command", nargs=-1, required=True)
def esl(url: str, command: tuple[str, ...]) -> None:
    """Run one API command on a FreeSWITCH node, like `fs_cli -x`.

    URL is esl://[:password@]host[:port] (a node of DIALER_FREESWITCH, or the embedded simulator whose
    address `serve` logs). Example: dialer esl esl://:ClueCon@127.0.0.1:8021 callcenter_config agent list"""
    from dialer.app.settings import SettingsError, parse_freeswitch
    from dialer.freeswitch.node import EslError, Node, NodeConfig

    try:
        [target] = parse_freeswitch(url)
    except (SettingsError, ValueError):
        raise click.BadParameter("expected one esl://[:password@]host[:port]", param_hint="URL") from None

    async def run_one() -> str:
        node = Node(NodeConfig("cli", target.host, target.port, target.password))
        await node.start()
        try:
            return await node.api(" ".join(command))
        finally:
            await node.close()

    try:
        click.echo(asyncio.run(run_one()), nl=False)
    except (OSError, EslError) as failed:
        raise click.ClickException(f"{url}: {failed}") from None


main.add_command(leads)

if __name__ == "__main__":
    main()
