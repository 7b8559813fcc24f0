"""The set of files a node needs, each with its place in FreeSWITCH's conf tree, and the zip of
them. The guide (guide.py) describes the same list, so the two never disagree."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from dialer.freeswitch.config.autoload import acl_conf, event_socket_conf, json_cdr_conf, xml_curl_conf
from dialer.freeswitch.config.callcenter import callcenter_conf
from dialer.freeswitch.config.dialplan import dialplan_context
from dialer.freeswitch.config.sofia import sofia_gateways
from dialer.freeswitch.config.spec import AgentSpec, GatewaySpec, QueueSpec, ServiceSpec, TierSpec

ZIP_ROOT = "freeswitch/conf/"
# 1980-01-01 is the earliest time a zip entry can carry: the same inputs give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ConfigFile:
    path: str  # relative to FreeSWITCH's conf directory
    title: str
    purpose: str
    content: str


def config_files(
    service: ServiceSpec,
    queues: Sequence[QueueSpec],
    agents: Sequence[AgentSpec],
    tiers: Sequence[TierSpec],
    gateways: Sequence[GatewaySpec],
) -> tuple[ConfigFile, ...]:
    """Every generated file, in the order the guide walks through them."""
    return (
        ConfigFile(
            "autoload_configs/event_socket.conf.xml",
            "Event socket (ESL)",
            "Opens the socket the dialer's controller connects to: it originates, transfers and hangs up "
            "calls and listens to their events over it. Only addresses in the ACL below may connect.",
            event_socket_conf(service),
        ),
        ConfigFile(
            "autoload_configs/acl.conf.xml",
            "Access list for the controllers",
            "The network list that event_socket.conf.xml applies: the controllers, plus loopback so "
            "fs_cli keeps working. If the node already has an acl.conf.xml, copy only the `<list>`.",
            acl_conf(service),
        ),
        ConfigFile(
            "autoload_configs/xml_curl.conf.xml",
            "Configuration from the service (mod_xml_curl)",
            "Makes FreeSWITCH ask the service first for configuration files. The service answers "
            "callcenter.conf, so queues created over the API reach every node, and `not found` for the "
            "rest, which FreeSWITCH then reads from its own files.",
            xml_curl_conf(service),
        ),
        ConfigFile(
            "autoload_configs/json_cdr.conf.xml",
            "Call detail records (mod_json_cdr)",
            "Posts every call's CDR to the service when the call ends. Posts that still fail after the "
            "retries are written under the log directory's json_cdr/ folder.",
            json_cdr_conf(service),
        ),
        ConfigFile(
            "autoload_configs/callcenter.conf.xml",
            "Queues, agents and tiers (mod_callcenter)",
            "The same callcenter.conf the service serves over mod_xml_curl. FreeSWITCH uses this copy "
            "only when the service cannot be reached.",
            callcenter_conf(queues, agents, tiers),
        ),
        ConfigFile(
            "sip_profiles/external/dialer_gateways.xml",
            "SIP trunks (sofia gateways)",
            "The dialer's trunks as gateways of the external profile, which includes external/*.xml. "
            "Disabled trunks are left out and named in a comment.",
            sofia_gateways(gateways),
        ),
        ConfigFile(
            "dialplan/dialer.xml",
            "The dialer's dialplan context",
            f"The `{service.context}` context: `dialer_queue_<queue>` puts an answered call into that "
            "mod_callcenter queue; any other destination parks the call for the controller.",
            dialplan_context(service),
        ),
    )


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # rw-r--r--, whatever the umask of whoever builds it
    return info


def build_zip(readme: str, files: Sequence[ConfigFile]) -> bytes:
    """README.md at the top, each file under freeswitch/conf/ as in FreeSWITCH's tree."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("README.md"), readme.encode())
        for item in files:
            archive.writestr(_entry(ZIP_ROOT + item.path), item.content.encode())
    return buffer.getvalue()
