"""The FreeSWITCH guide and config files, the live checklist, ESL snippets, and mod_xml_curl answers."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from strawberry import UNSET

from dialer.freeswitch import config
from dialer.freeswitch.config.spec import GatewaySpec, ServiceSpec
from dialer.graphql.callcenter.service import desired_state
from dialer.graphql.cdr.service import allowed
from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, Forbidden
from dialer.graphql.integrations.types import (
    CheckItem,
    Checklist,
    CheckStatus,
    EslSuggestInput,
    EslSuggestion,
    FileDocument,
    GuideFormat,
    GuideInput,
)
from dialer.models import Cdr, CdrDeadLetter, Provider, Queue

log = logging.getLogger(__name__)
# FreeSWITCH expands $${name} from vars.xml when it loads the file: the secrets stay out of the download.
TOKEN_VARIABLE = "$${dialer_token}"
ESL_PASSWORD_VARIABLE = "$${dialer_esl_password}"
CDR_USER = "freeswitch"


def _service(context: Context, data: GuideInput | None) -> ServiceSpec:
    base_url = context.deployment.public_url
    controllers: tuple[str, ...] = context.deployment.controllers
    password = ESL_PASSWORD_VARIABLE
    if data is not None:
        base_url = base_url if data.base_url in (UNSET, None) else data.base_url
        controllers = controllers if data.controllers in (UNSET, None) else tuple(data.controllers)
        password = password if data.esl_password in (UNSET, None) else data.esl_password
    try:
        for address in controllers:
            config.normalise_cidr(address)
    except ValueError as bad:
        raise BadRequest.fields({"controllers": str(bad)}) from None
    return ServiceSpec(
        base_url=base_url, cdr_user=CDR_USER, cdr_secret=TOKEN_VARIABLE, esl_password=password, controllers=controllers
    )


async def _gateways() -> tuple[GatewaySpec, ...]:
    return tuple(
        GatewaySpec(p.name, p.host, tuple(p.codecs), p.route, p.max_cps, p.enabled)
        for p in await Provider.all().order_by("id")
    )


async def guide(data: GuideInput | None, accept: str | None, context: Context) -> FileDocument:
    """Markdown unless the client asks for a zip (Accept: application/zip)."""
    wanted = GuideFormat.zip if accept and "application/zip" in accept.lower() else GuideFormat.markdown
    service = _service(context, data)
    desired = await desired_state()
    parts = (service, desired.queues, desired.agents, desired.tiers, await _gateways())
    try:
        if wanted is GuideFormat.zip:
            body = config.guide_zip(*parts)
            return FileDocument(
                filename="dialer-freeswitch.zip",
                content_type="application/zip",
                text=None,
                base64=base64.b64encode(body).decode(),
            )
        text = config.guide_markdown(*parts)
    except ValueError as bad:
        raise BadRequest(f"cannot generate the guide: {bad}") from None
    return FileDocument(
        filename="dialer-freeswitch.md", content_type="text/markdown; charset=utf-8", text=text, base64=None
    )


def esl_suggest(data: EslSuggestInput) -> EslSuggestion:
    try:
        snippets = config.esl_suggest(data.controllers, data.password, data.listen_ip, data.listen_port)
    except ValueError as bad:
        raise BadRequest(str(bad)) from None
    return EslSuggestion(event_socket=snippets["event_socket"], acl=snippets["acl"], fs_cli=snippets["fs_cli"])


async def configuration(body: str, context: Context) -> FileDocument:
    """mod_xml_curl's `configuration` binding: callcenter.conf from the dialer's queues, agents and
    tiers; anything else "not found", so FreeSWITCH falls back to its own files."""
    if not allowed(context.client_ip, context.deployment.fs_allowlist):
        raise Forbidden(f"configuration is not served to {context.client_ip or 'an unknown address'}")
    fields = {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}
    if not fields.get("section"):
        raise BadRequest("not a mod_xml_curl request: the form has no section field", {"expected": "section=..."})
    context.switchboard.config_fetched(fields.get("hostname") or context.client_ip or "?", fields.get("key_value", ""))
    xml = None
    if fields.get("section") == "configuration":
        xml = await configuration_document(fields.get("key_value", ""))
    return FileDocument(filename="", content_type="text/xml", text=xml or config.not_found_document(), base64=None)


async def configuration_document(name: str) -> str | None:
    """The mod_xml_curl document for one configuration file, or None ("not found": FreeSWITCH then
    reads its own files). Only callcenter.conf is the dialer's."""
    if name != "callcenter.conf":
        return None
    desired = await desired_state()
    try:
        return config.configuration_document(config.callcenter_conf(desired.queues, desired.agents, desired.tiers))
    except ValueError as bad:  # the log says why (once per reason); the node keeps its static callcenter.conf
        if str(bad) not in _refusals:
            _refusals.add(str(bad))
            log.error("callcenter.conf not served: %s", bad)
        return None


_refusals: set[str] = set()


def _worst(items: list[CheckItem]) -> CheckStatus:
    order = [CheckStatus.ok, CheckStatus.warn, CheckStatus.fail]
    return max((item.status for item in items), key=order.index, default=CheckStatus.ok)


async def checklist(context: Context, now: datetime | None = None) -> Checklist:
    """Each item judged from live state: the cluster, the event stream, CDR arrival, queues, gateways."""
    now = now or datetime.now(UTC)
    report: dict[str, Any] = context.switchboard.report()
    nodes = report["nodes"]
    up = [n for n in nodes if n["up"]]
    items = [
        CheckItem(
            id="connectivity",
            title="Event Socket connection to every FreeSWITCH node",
            status=CheckStatus.ok
            if nodes and len(up) == len(nodes)
            else CheckStatus.fail
            if not up
            else CheckStatus.warn,
            detail=f"{len(up)} of {len(nodes)} nodes up: "
            + ", ".join(f"{n['name']} {'up' if n['up'] else 'down'}" for n in nodes),
            fix=""
            if nodes and len(up) == len(nodes)
            else "Check DIALER_FREESWITCH (esl://:password@host:8021), that mod_event_socket listens on that address "
            "and that its apply-inbound-acl admits this host (POST /integrations/fs/esl-suggest writes both).",
        ),
    ]
    quiet = [n["name"] for n in up if n.get("last_event_age_s") is None or n["last_event_age_s"] > 900]
    items.append(
        CheckItem(
            id="events",
            title="Events arrive from every node",
            status=CheckStatus.ok if up and not quiet else CheckStatus.warn,
            detail="every up node sent events in the last 15 minutes"
            if up and not quiet
            else f"no event for 15 minutes from: {', '.join(quiet) or 'any node (none is up)'}",
            fix=""
            if up and not quiet
            else "An idle node sends no channel events; if calls are running, check that nothing filters the "
            "ESL connection's events (no `filter` from other tools on the same socket).",
        )
    )
    items.append(await _cdr_item(report, now))
    items.append(await _queue_item(report))
    items.append(await _gateway_item(now))
    return Checklist(status=_worst(items), items=items)


async def _cdr_item(report: dict[str, Any], now: datetime) -> CheckItem:
    last = await Cdr.all().order_by("-id").first()
    ended = report.get("calls_ended_15m", 0)
    refused = await CdrDeadLetter.filter(received_at__gte=now - timedelta(days=1)).count()
    recent = last is not None and last.received_at >= now - timedelta(minutes=15)
    if refused:
        status, detail = (
            CheckStatus.warn,
            f"{refused} CDR posts refused as malformed in the last day (see GET /cdr/dead-letters)",
        )
    elif ended and not recent:
        status, detail = CheckStatus.fail, f"{ended} calls ended in the last 15 minutes and no CDR arrived"
    else:
        status = CheckStatus.ok
        detail = f"last CDR received {last.received_at.isoformat()}" if last else "no calls yet, no CDRs expected"
    return CheckItem(
        id="cdr",
        title="CDRs arrive from mod_json_cdr",
        status=status,
        detail=detail,
        fix=""
        if status is CheckStatus.ok
        else "Load mod_json_cdr with the guide's json_cdr.conf.xml (url .../api/v1/cdr, "
        "cred freeswitch:<integration token>), "
        "add the node's address to DIALER_FS_ALLOW, and look in mod_json_cdr's err-log-dir for posts that failed.",
    )


async def _queue_item(report: dict[str, Any]) -> CheckItem:
    names = [q.name for q in await Queue.all().order_by("id")]
    missing = {node: sorted(set(names) - set(loaded)) for node, loaded in report.get("queues_loaded", {}).items()}
    missing = {node: queues for node, queues in missing.items() if queues}
    repairs = report.get("repairs_last_hour", 0)
    if not names:
        status, detail = CheckStatus.warn, "no queue defined yet (POST /queues)"
    elif missing:
        status = CheckStatus.fail
        detail = "; ".join(f"{node} lacks {', '.join(queues)}" for node, queues in missing.items())
    elif repairs:
        status, detail = (
            CheckStatus.warn,
            f"all {len(names)} queues loaded; the watchdog repaired {repairs} drifts in the last hour",
        )
    else:
        status, detail = CheckStatus.ok, f"all {len(names)} queues loaded on every up node"
    return CheckItem(
        id="queues",
        title="mod_callcenter has the dialer's queues, agents and tiers",
        status=status,
        detail=detail,
        fix=""
        if status is CheckStatus.ok
        else "Load mod_xml_curl with the guide's xml_curl.conf.xml so that `callcenter_config queue load` fetches "
        "callcenter.conf from the dialer, then check the node's log for mod_callcenter errors.",
    )


async def _gateway_item(now: datetime) -> CheckItem:
    providers = await Provider.filter(enabled=True).order_by("id")
    since = now - timedelta(minutes=15)
    dead = []
    for provider in providers:
        calls = Cdr.filter(trunk_id=provider.name, end_at__gte=since)
        total = await calls.count()
        if total >= 10 and not await calls.filter(answer_at__not_isnull=True).exists():
            dead.append(f"{provider.name} ({total} calls, none answered)")
    if not providers:
        status, detail = CheckStatus.warn, "no enabled provider (POST /providers)"
    elif dead:
        status, detail = CheckStatus.fail, "; ".join(dead)
    else:
        status, detail = CheckStatus.ok, f"{len(providers)} enabled providers; none failing every call"
    return CheckItem(
        id="gateways",
        title="SIP gateways carry calls",
        status=status,
        detail=detail,
        fix=""
        if status is CheckStatus.ok
        else "Install the guide's dialer_gateways.xml, run `sofia profile external rescan`, "
        "check `sofia status gateway "
        "<name>`, and probe the provider (POST /providers/{id}/probe).",
    )
