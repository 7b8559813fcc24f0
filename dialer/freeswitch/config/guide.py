"""The operator's guide for connecting a FreeSWITCH node (markdown, or a zip with the files), and
the ESL-only suggestion behind POST /api/v1/integrations/fs/esl-suggest."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from dialer.freeswitch.config.autoload import ACL_LIST, acl_list, event_socket_conf
from dialer.freeswitch.config.bundle import ZIP_ROOT, ConfigFile, build_zip, config_files
from dialer.freeswitch.config.dialplan import queue_destination
from dialer.freeswitch.config.sofia import PROFILE, disabled_gateways
from dialer.freeswitch.config.spec import AgentSpec, GatewaySpec, QueueSpec, ServiceSpec, TierSpec

CONF_DIRS = (
    ("Debian/Ubuntu packages", "/etc/freeswitch", "/var/log/freeswitch"),
    ("Source install (default prefix)", "/usr/local/freeswitch/conf", "/usr/local/freeswitch/log"),
)
MODULES = (
    ("mod_xml_curl", "must load before mod_callcenter: keep it in the XML Interfaces block at the top"),
    ("mod_event_socket", "the controller's connection"),
    ("mod_sofia", "SIP and the trunks"),
    ("mod_commands", "the API commands the controller sends (originate, uuid_transfer, ...)"),
    ("mod_dptools", "park, answer, transfer"),
    ("mod_dialplan_xml", "the XML dialplan"),
    ("mod_callcenter", "the agent queues"),
    ("mod_json_cdr", "CDRs to the service"),
    ("mod_local_stream", "music on hold such as local_stream://moh"),
    ("mod_avmd", "optional: voicemail beep detection"),
)
# settings.parse_freeswitch splits DIALER_FREESWITCH on commas and reads the password with urlsplit.
_URL_UNSAFE = re.compile(r"[/?#,\s]")
# FreeSWITCH's pre-processor replaces $${name} in every file it reads, from vars.xml's X-PRE-PROCESS set.
_PREPROCESS_VARIABLE = re.compile(r"\$\$\{([^}]+)\}")


def _fence(content: str, language: str) -> str:
    """A code fence longer than any run of backticks inside the content."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{content.rstrip()}\n{ticks}"


def _intro(service: ServiceSpec) -> list[str]:
    lines = [
        "# Connecting a FreeSWITCH node to the dialer",
        "",
        f"Service: `{service.base_url}`. The node needs four things: an event socket the dialer's controller can",
        "reach, mod_callcenter with the dialer's queues, CDRs posted back to the service, and the dialer's trunks",
        "and dialplan context. Every file below is also in the zip version of this guide, under `freeswitch/conf/`.",
        "",
        "## 1. Where the files go",
        "",
        "| Install | Configuration directory | Log directory |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {kind} | `{conf}` | `{log}` |" for kind, conf, log in CONF_DIRS]
    lines += ["", "Paths below are relative to the configuration directory (`conf/` in the FreeSWITCH sources).", ""]
    return lines


def _modules() -> list[str]:
    lines = [
        "## 2. Modules",
        "",
        "In `autoload_configs/modules.conf.xml`, make sure each of these has an uncommented "
        '`<load module="..."/>` line (Debian packages ship most modules as separate packages; '
        "`apt-cache search freeswitch-mod` lists them):",
        "",
    ]
    lines += [f"- `{name}`: {why}" for name, why in MODULES]
    lines += [
        "",
        "Answering-machine detection: `mod_avmd` (in the FreeSWITCH tree) detects the voicemail *beep* and fires",
        "`avmd::beep` events; it does not tell a human from a machine. `mod_amd` (a port of Asterisk's app_amd) is",
        "not in the tree: build it from its repository. It sets `amd_result` (HUMAN, MACHINE, NOTSURE) and",
        "`amd_cause`, and its forks differ (one reports INITIALSILENCE as HUMAN): check the build you ship.",
        "",
    ]
    return lines


def _variables(files: Sequence[ConfigFile]) -> list[str]:
    """A step for the $${...} variables the files use (a secret kept out of the files, say)."""
    names = sorted({name for item in files for name in _PREPROCESS_VARIABLE.findall(item.content)})
    if not names:
        return []
    sets = "\n".join(f'<X-PRE-PROCESS cmd="set" data="{name}=..."/>' for name in names)
    return [
        "### Variables",
        "",
        "The files use pre-processor variables, which FreeSWITCH fills in when it reads them. Set each one in",
        "`vars.xml` (skip those it already sets: the stock vars.xml has `hold_music`, `domain` and others):",
        "",
        _fence(sets, "xml"),
        "",
    ]


def _file_sections(files: Sequence[ConfigFile]) -> list[str]:
    lines = ["## 3. The files", ""]
    for number, item in enumerate(files, start=1):
        lines += [
            f"### 3.{number} {item.title}",
            "",
            f"Path: `{item.path}` (in the zip: `{ZIP_ROOT}{item.path}`)",
            "",
            item.purpose,
            "",
            _fence(item.content, "xml"),
            "",
        ]
    return lines


def _reload(queues: Sequence[QueueSpec], gateways: Sequence[GatewaySpec]) -> list[str]:
    commands = [
        "reloadxml",
        "reloadacl",
        "reload mod_xml_curl",
        "reload mod_json_cdr",
        *(f"callcenter_config queue load {queue.name}" for queue in queues),
        *(f"sofia profile {PROFILE} killgw {name}" for name in disabled_gateways(gateways)),
        f"sofia profile {PROFILE} rescan",
        "reload mod_event_socket",
    ]
    script = "\n".join(f"fs_cli -x {shlex.quote(command)}" for command in commands)
    return [
        "## 4. Load it",
        "",
        "On the node, as a user allowed to run fs_cli (a module that is not loaded yet: `load` instead of `reload`):",
        "",
        _fence(script, "sh"),
        "",
        "- `reloadxml` first: modules read their configuration from the XML FreeSWITCH holds in memory.",
        "- `callcenter_config queue load <queue>` loads a new queue with its agents and tiers; for a queue that is",
        "  already loaded use `callcenter_config queue reload <queue>`. If mod_callcenter itself was not loaded,",
        "  `load mod_callcenter` loads every queue at once. Loading applies each agent's `status` from the file.",
        f"- `sofia profile {PROFILE} rescan` adds new gateways; a changed one needs `killgw <name>` then `rescan`.",
        "- `reload mod_event_socket` comes last: it drops every ESL connection, fs_cli's included. From then on",
        "  fs_cli needs the new password: `fs_cli -p '<password>'`, or `password => ...` in `/etc/fs_cli.conf`.",
        "- Restarting FreeSWITCH (`systemctl restart freeswitch`) applies everything at once.",
        "",
    ]


def _register(service: ServiceSpec) -> list[str]:
    url = f"esl://:{service.esl_password}@<node-address>:{service.esl_listen_port}"
    lines = [
        "## 5. Register the node with the dialer",
        "",
        "Add the node to the dialer's environment (comma-separated, one URL per node) and restart the service:",
        "",
        _fence(f"DIALER_FREESWITCH={url}", "sh"),
        "",
    ]
    if _URL_UNSAFE.search(service.esl_password):
        lines += [
            "**Warning:** this ESL password contains `/`, `?`, `#`, `,` or a blank, which cannot be written in",
            "`DIALER_FREESWITCH`. Choose another password before registering the node.",
            "",
        ]
    return lines


def _checklist(service: ServiceSpec, queues: Sequence[QueueSpec], gateways: Sequence[GatewaySpec]) -> list[str]:
    first_queue = queues[0].name if queues else "<queue>"
    first_gateway = next((gateway.name for gateway in gateways if gateway.enabled), "<gateway>")
    controller = service.controllers[0].split("/")[0] if service.controllers else "<controller-ip>"
    return [
        "## 6. Check",
        "",
        f"- [ ] `fs_cli -x 'acl {controller} {ACL_LIST}'` prints `true`.",
        f"- [ ] From a controller host, `nc -vz <node-address> {service.esl_listen_port}` connects, and the dialer's",
        "      log shows the node connected.",
        "- [ ] `fs_cli -x 'module_exists mod_callcenter'` and the same for mod_json_cdr and mod_xml_curl print `true`.",
        "- [ ] `fs_cli -x 'xml_locate configuration configuration name callcenter.conf'` shows the service's queues",
        "      (`xml_curl debug_on` keeps each answer in FreeSWITCH's temp directory for a closer look).",
        f"- [ ] `fs_cli -x 'callcenter_config queue list agents {first_queue}'` lists the agents.",
        f"- [ ] `fs_cli -x 'sofia status gateway {first_gateway}'` shows Status UP (State REGED, or NOREG for an",
        "      IP-authenticated trunk).",
        f"- [ ] `fs_cli -x 'xml_locate dialplan context name {service.context}'` shows the context; "
        f"`{queue_destination(first_queue) if queues else 'dialer_queue_<queue>'}` is the destination that "
        "puts a call into the queue.",
        "- [ ] After a test call the service has its CDR, and `json_cdr/` in the log directory stays empty.",
        "",
    ]


def guide_markdown(
    service: ServiceSpec,
    queues: Sequence[QueueSpec],
    agents: Sequence[AgentSpec],
    tiers: Sequence[TierSpec],
    gateways: Sequence[GatewaySpec],
) -> str:
    files = config_files(service, queues, agents, tiers, gateways)
    lines = [
        *_intro(service),
        *_modules(),
        *_variables(files),
        *_file_sections(files),
        *_reload(queues, gateways),
        *_register(service),
        *_checklist(service, queues, gateways),
    ]
    return "\n".join(lines).rstrip() + "\n"


def guide_zip(
    service: ServiceSpec,
    queues: Sequence[QueueSpec],
    agents: Sequence[AgentSpec],
    tiers: Sequence[TierSpec],
    gateways: Sequence[GatewaySpec],
) -> bytes:
    """README.md (the guide) and every file under freeswitch/conf/; the same inputs give the same bytes."""
    readme = guide_markdown(service, queues, agents, tiers, gateways)
    return build_zip(readme, config_files(service, queues, agents, tiers, gateways))


def esl_suggest(
    controllers: Sequence[str], password: str, listen_ip: str = "0.0.0.0", listen_port: int = 8021
) -> dict[str, str]:
    """Only what opening ESL to the controllers takes: event_socket.conf.xml, the ACL `<list>` to
    put in acl.conf.xml, and the fs_cli commands that apply them. Raises ValueError on a bad
    controller address, an empty controller list, a bad listen address or port, or no password."""
    if not controllers:
        raise ValueError("give at least one controller address (IP or CIDR) to let in")
    spec = ServiceSpec(
        base_url="http://unused.invalid",
        cdr_user="unused",
        cdr_secret="unused",
        esl_password=password,
        esl_listen_ip=listen_ip,
        esl_listen_port=listen_port,
        controllers=tuple(controllers),
    )
    event_socket = event_socket_conf(spec)
    acl = "\n".join(acl_list(spec.controllers, listen_ip)) + "\n"
    commands = [
        "# On the node, after saving event_socket.conf.xml and adding the <list> to acl.conf.xml:",
        "fs_cli -x 'reloadxml'",
        "fs_cli -x 'reloadacl'",
        "fs_cli -x 'reload mod_event_socket'",
        "# That reload drops every ESL connection, fs_cli's too. From now on fs_cli needs the new password:",
        f"fs_cli -p {shlex.quote(password)} -x 'status'",
    ]
    return {"event_socket": event_socket, "acl": acl, "fs_cli": "\n".join(commands) + "\n"}
