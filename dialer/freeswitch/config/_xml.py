"""Text helpers shared by the generators: attributes, params, comments and input checks.

FreeSWITCH reads these files with its own small XML parser, after a text pre-processor. The
generators therefore write plain, predictable XML: double-quoted attributes with every special
character escaped, no XML declaration in files that freeswitch.xml includes, comments that can
never close early."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

INDENT = "  "

# XML 1.0 forbids these; a parser stops at the first one, so refuse them up front.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# sofia.c parse_gateways ignores any gateway whose name does not match this.
_GATEWAY_NAME = re.compile(r"^[\w.\-]+$")


def text(value: object) -> str:
    """A value as FreeSWITCH expects it: booleans as true/false, the rest with str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    rendered = str(value)
    if _FORBIDDEN.search(rendered):
        raise ValueError(f"{rendered!r}: control characters cannot be written to FreeSWITCH XML")
    return rendered


def attr(value: object) -> str:
    """A quoted attribute value. Always double quotes, so the output does not depend on the data."""
    return quoteattr(text(value), {'"': "&quot;"})


def element(tag: str, attributes: Iterable[tuple[str, object]], depth: int = 0) -> str:
    """One self-closing element on its own line."""
    rendered = "".join(f" {name}={attr(value)}" for name, value in attributes)
    return f"{INDENT * depth}<{tag}{rendered}/>"


def param(name: str, value: object, depth: int) -> str:
    return element("param", (("name", name), ("value", value)), depth)


def comment(note: str, depth: int = 0) -> str:
    """An XML comment. `--` may not appear inside one, nor `-` at its end: break them up."""
    safe = " ".join(text(note).split())
    while "--" in safe:
        safe = safe.replace("--", "- -")
    if safe.endswith("-"):
        safe += " "
    return f"{INDENT * depth}<!-- {safe} -->"


def block(lines: Iterable[str]) -> str:
    """Join lines into file text with a trailing newline."""
    return "\n".join(lines) + "\n"


def token(kind: str, value: str) -> str:
    """A name that ends up as one word of an API command or a dialplan destination.

    callcenter_config and uuid_transfer split their arguments on blanks, so a blank in a queue,
    agent or context name would silently address something else."""
    if not value or any(ch.isspace() for ch in value) or "'" in value:
        raise ValueError(f"{kind} {value!r}: must be non-empty, without blanks or quotes")
    return value


def gateway_name(value: str) -> str:
    if not _GATEWAY_NAME.match(value):
        raise ValueError(f"gateway {value!r}: sofia accepts only letters, digits, '_', '.' and '-'")
    return value


def count(kind: str, value: int) -> int:
    """A non-negative integer setting (seconds or a counter)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{kind} must be a non-negative integer, got {value!r}")
    return value


def port(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError(f"listen port must be 1-65535, got {value!r}")
    return value


def service_url(base_url: str, path: str) -> str:
    """`<base_url><path>`. Only http(s) with a host: libcurl would accept more, the service does not."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url {base_url!r}: expected http(s)://host[:port][/prefix]")
    return base_url.rstrip("/") + path


def is_https(url: str) -> bool:
    return urlsplit(url).scheme == "https"


def credentials(user: str, secret: str) -> str:
    """`user:pass` for libcurl's CURLOPT_USERPWD, which splits at the first colon."""
    if not user or ":" in user:
        raise ValueError(f"user {user!r}: must be non-empty and contain no ':'")
    if not secret:
        raise ValueError("the secret must not be empty")
    return f"{user}:{secret}"
