"""Parsing `originate` as mod_commands does (ESL-FACTS §4.4), for the endpoints a dialer uses, and the
command's pending result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialer.freeswitch.causes import Q850

if TYPE_CHECKING:
    from dialer.freeswitch.sim.channel import Channel

Done = Callable[[str], None]  # an API command's reply

SYNTAX = (
    "originate <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] "
    "[<cid_num>] [<timeout_sec>]"
)


@dataclass
class OriginateArgs:
    channel_name: str
    destination: str
    trunk: str
    variables: dict[str, str] = field(default_factory=dict)
    application: str = "park"
    application_args: str = ""
    # Set for the `error/<CAUSE>` endpoint, which fails at once with that cause.
    error_cause: str | None = None


def split_args(text: str) -> list[str]:
    """switch_separate_string: blanks separate, 'single quotes' group (and are dropped), and a
    `{...}` / `[...]` variable block stays one argument."""
    args, current, quoted, depth = [], [], False, 0
    for char in text.strip():
        if char == "'":
            quoted = not quoted
            if depth:
                current.append(char)
            continue
        if not quoted:
            if char in "{[<":
                depth += 1
            elif char in "}]>" and depth:
                depth -= 1
            elif char == " " and not depth:
                if current:
                    args.append("".join(current))
                    current = []
                continue
        current.append(char)
    if current:
        args.append("".join(current))
    return args


def _variables(block: str) -> dict[str, str]:
    separator = ","
    if block.startswith("^^"):
        separator, block = block[2], block[3:]
    variables: dict[str, str] = {}
    for item in _split_outside_quotes(block, separator):
        name, _, value = item.partition("=")
        if name.strip():
            variables[name.strip()] = value.strip().strip("'")
    return variables


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    items, current, quoted = [], [], False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == separator and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items


def parse_originate(text: str) -> OriginateArgs:
    args = split_args(text)
    if len(args) < 2:
        raise ValueError(SYNTAX)
    url, target = args[0], args[1]
    variables: dict[str, str] = {}
    while url[:1] in ("{", "["):
        close = "}" if url[0] == "{" else "]"
        end = url.find(close)
        if end < 0:
            raise ValueError(SYNTAX)
        variables.update(_variables(url[1:end]))
        url = url[end + 1 :]
    # Several legs (`,` simultaneous, `|` sequential): the simulator dials the first.
    url = url.split("|", 1)[0].split(",", 1)[0]
    parts = url.split("/")
    request = OriginateArgs(url, "", "", variables)
    if parts[0] == "error" and len(parts) > 1:
        cause = parts[1].upper()
        request.error_cause = cause if cause in Q850 else "INVALID_GATEWAY"
        request.destination = request.trunk = "error"
    elif parts[:2] == ["sofia", "gateway"] and len(parts) >= 4:
        request.trunk, request.destination = parts[2], "/".join(parts[3:])
        request.channel_name = f"sofia/{parts[2]}/{request.destination}"
    elif parts[0] in ("sofia", "user", "loopback") and len(parts) >= 2:
        request.trunk, request.destination = parts[1] if parts[0] == "sofia" else parts[0], parts[-1]
    else:
        raise ValueError(f"unknown endpoint in {url!r}")
    if target.startswith("&"):
        name, _, rest = target[1:].partition("(")
        request.application, request.application_args = name, rest.rstrip(")")
    if len(args) > 4 and args[4] != "undef":
        variables.setdefault("origination_caller_id_name", args[4])
    if len(args) > 5 and args[5] != "undef":
        variables.setdefault("origination_caller_id_number", args[5])
    if len(args) > 6 and args[6].isdigit():
        variables.setdefault("originate_timeout", args[6])
    return request


class Originating:
    """The `originate` command's pending result: +OK at answer (or early media), else -ERR."""

    __slots__ = ("done", "ignore_early_media", "ring_ready")

    def __init__(self, done: Done | None, ignore_early_media: bool, ring_ready: bool) -> None:
        self.done, self.ignore_early_media, self.ring_ready = done, ignore_early_media, ring_ready

    def succeed(self, channel: Channel) -> None:
        if self.done:
            self.done(f"+OK {channel.uuid}\n")
            self.done = None

    def fail(self, cause: str) -> None:
        if self.done:
            self.done(f"-ERR {cause}\n")
            self.done = None


PHRASES = {
    404: "Not Found",
    480: "Temporarily Unavailable",
    486: "Busy Here",
    503: "Service Unavailable",
    603: "Decline",
}


def seconds(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default
