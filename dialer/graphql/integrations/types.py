"""Integration types: generated files, the connection checklist, ESL snippets."""

from __future__ import annotations

import enum

import strawberry

from dialer.graphql.validation import constrained

ADDRESS = {"minLength": 1, "maxLength": 64, "pattern": "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"}
URL = {"minLength": 8, "maxLength": 255, "pattern": "^https?://[^\\s'\"<>]+$"}
SECRET = {"minLength": 1, "maxLength": 128, "pattern": "^[^\\s'\"<>&]+$"}


@strawberry.type(description="A generated file. REST answers it as the file itself.")
class FileDocument:
    filename: str
    content_type: str
    text: str | None = strawberry.field(description="The content, for text files.")
    base64: str | None = strawberry.field(description="The content, base64, for binary files (zip).")


@strawberry.enum
class GuideFormat(enum.Enum):
    markdown = "markdown"
    zip = "zip"


@strawberry.enum
class CheckStatus(enum.Enum):
    ok = "ok"
    warn = "warn"
    fail = "fail"


@strawberry.type
class CheckItem:
    id: str
    title: str
    status: CheckStatus
    detail: str = strawberry.field(description="What was found.")
    fix: str = strawberry.field(description="How to fix it (empty when ok).")


@strawberry.type
class Checklist:
    status: CheckStatus = strawberry.field(description="The worst item's status.")
    items: list[CheckItem]


@strawberry.type
class EslSuggestion:
    event_socket: str = strawberry.field(description="autoload_configs/event_socket.conf.xml")
    acl: str = strawberry.field(description="The <list> to add to autoload_configs/acl.conf.xml")
    fs_cli: str = strawberry.field(description="fs_cli commands that apply them")


@strawberry.input
class GuideInput:
    base_url: str | None = constrained(
        "How FreeSWITCH reaches this service (default DIALER_PUBLIC_URL).", strawberry.UNSET, **URL
    )
    controllers: list[str] | None = constrained(
        "Addresses (IP or CIDR) of the dialer's controllers, admitted to the Event Socket.",
        strawberry.UNSET,
        maxItems=64,
        items=ADDRESS,
    )
    esl_password: str | None = constrained(
        "The Event Socket password (default: a $${dialer_esl_password} variable to set in vars.xml).",
        strawberry.UNSET,
        **SECRET,
    )


@strawberry.input
class EslSuggestInput:
    controllers: list[str] = constrained("Controller addresses (IP or CIDR).", minItems=1, maxItems=64, items=ADDRESS)
    password: str = constrained("The Event Socket password.", **SECRET)
    listen_ip: str = constrained("Where mod_event_socket listens.", "0.0.0.0", **ADDRESS)
    listen_port: int = constrained("Its port.", 8021, minimum=1, maximum=65535)
