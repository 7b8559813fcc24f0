"""The layers mod_json_cdr wraps a CDR in, and strict conversions of its fields (for dialer.freeswitch.cdr).

Pure: bytes in, Python values out, CdrError for anything that cannot be read.

What FreeSWITCH sends (mod_json_cdr.c, switch_ivr.c, switch_utils.c):

* `encode=false`: the JSON text, `Content-Type: application/json`.
* `encode=true`: `cdr=` + switch_url_encode(JSON), `application/x-www-form-urlencoded`. `+` is
  always sent as `%2B`, so form decoding (`+` is a space) is safe.
* `encode=base64`: `cdr=` + base64(JSON) with the standard alphabet and `=` padding, not
  url-encoded, `application/x-www-form-base64-encoded`. A form decoder would turn its `+` into
  spaces, so the field is taken raw (spaces are turned back into `+`, tolerantly).
* `encode-values=true` (the default) runs switch_url_encode over every value of `variables`, and of
  nothing else: caller_profile, times, app_log and channel_data stay plain. switch_url_encode escapes
  bytes outside 0x20-0x7E and ``\\r\\n #%&+:;<=>?@[\\]^`{|}"`` as `%XX` (space is `%20`, never `+`).
  Recent releases (switch_url_encode_opt, no double encoding) let an existing `%XX` (upper-case
  hex) through, so a value that held `%41` arrives as `A`: that loss is FreeSWITCH's, not ours.

The value-decoding rule (idempotent on plain documents): each top-level object or array, and the
top-level strings taken together, is one section. A section is decoded only if some string in it
holds `%XX` and no string in it holds a character switch_url_encode would have escaped (a space, `:`,
`@`, a control character, non-ASCII...). Real plain sections always hold one (`start_stamp` has a
space, SIP URIs an `@`), encoded ones never do. In a decoded section only strings holding `%XX` are
decoded (`%XX` to bytes, then UTF-8; a string that does not decode to UTF-8 is kept as it was); `+`
stays `+`. With encode=true on recent releases the form layer already undoes the values' `%XX` (they
were not encoded twice), and the rule then finds `variables` plain: nothing is decoded twice."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes

import orjson

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000
# A CDR time outside this is a unit mix-up (seconds in a *_uepoch) or garbage: 2000-01-01 .. 2100-01-01.
EARLIEST, LATEST = 946_684_800, 4_102_444_800
INT32 = 2**31 - 1

_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_ESCAPED_BY_FREESWITCH = frozenset('\r\n #&+:;<=>?@[\\]^`{|}"')  # SWITCH_URL_UNSAFE but '%'
_INT = re.compile(r"[+-]?\d{1,20}")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?")
TRUE = frozenset({"true", "yes", "on", "1", "enabled", "active", "allow"})
FALSE = frozenset({"false", "no", "off", "0", "disabled", "inactive", "deny"})


class CdrError(ValueError):
    """A CDR that cannot be read; `reason` says why, for the 400 and the dead-letter row."""

    def __init__(self, reason: str) -> None:
        self.reason = reason if len(reason) <= 300 else reason[:297] + "..."
        super().__init__(self.reason)


# -- the body ----------------------------------------------------------------------------------


def document_bytes(body: bytes, content_type: str | None) -> bytes:
    """The JSON text inside a raw, `cdr=` form or base64 body. The three shapes cannot be confused
    (`{`, `cdr=%7B`, and base64, which never starts with `{` or `%`), so the body decides and a
    missing or wrong content type does no harm; the content type only sharpens the error."""
    if len(body) > MAX_BODY_BYTES:
        raise CdrError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    body = body.removeprefix(b"\xef\xbb\xbf").strip()
    if not body:
        raise CdrError("empty body")
    if body[:1] in (b"{", b"["):
        return body
    raw = _form_field(body, "cdr")
    if raw is None:
        kind = (content_type or "").split(";", 1)[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json"):
            raise CdrError("the body is not a JSON object (it does not start with '{')")
        raise CdrError("the body is neither a JSON document nor a form with a cdr= field")
    if raw[:1] == b"{":  # not encoded at all
        return raw
    if raw[:3].upper() == b"%7B":  # encode=true, whatever the content type says
        return unquote_to_bytes(raw.replace(b"+", b" ")).strip()
    return _from_base64(raw)  # encode=base64 (application/x-www-form-base64-encoded)


def _form_field(body: bytes, name: str) -> bytes | None:
    for item in body.split(b"&"):
        key, equals, value = item.partition(b"=")
        if equals and unquote_plus(key.decode("latin-1")).strip() == name:
            return value.strip()
    return None


def _from_base64(raw: bytes) -> bytes:
    if b"%" in raw:  # url-encoded on the way
        raw = unquote_to_bytes(raw)
    raw = re.sub(rb"[\r\n\t]", b"", raw.replace(b" ", b"+"))
    raw = raw.rstrip(b"=") + b"=" * (-len(raw.rstrip(b"=")) % 4)
    try:
        return base64.b64decode(raw, validate=True).strip()
    except (binascii.Error, ValueError):
        raise CdrError("the cdr= field is neither url-encoded JSON nor valid base64") from None


def load_object(text: bytes) -> dict[str, Any]:
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise CdrError(f"the document is not UTF-8 (byte {bad.start})") from None
    try:
        document = orjson.loads(decoded)
    except orjson.JSONDecodeError as bad:
        raise CdrError(f"the document is not valid JSON: {bad}") from None
    if not isinstance(document, dict):
        raise CdrError(f"the JSON document is {_kind(document)}, not an object")
    _check_shape(document)
    return document


def _kind(value: Any) -> str:
    kinds = {list: "an array", dict: "an object", str: "a string", int: "an integer", float: "a number"}
    return kinds.get(type(value), "a boolean" if isinstance(value, bool) else "null")


def _check_shape(document: dict[str, Any]) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise CdrError(f"the document nests deeper than {MAX_DEPTH} levels")
        if nodes > MAX_NODES:
            raise CdrError(f"the document has more than {MAX_NODES} values")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


# -- encode-values -----------------------------------------------------------------------------


def decode_values(document: dict[str, Any]) -> dict[str, Any]:
    """Undo encode-values section by section (the rule is in the module docstring)."""
    scalars = [value for value in document.values() if isinstance(value, str)]
    top = _encoded(scalars)
    decoded: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict | list):
            decoded[key] = _decode(value) if _encoded(list(_strings(value))) else value
        else:
            decoded[key] = _decode(value) if top else value
    return decoded


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _encoded(strings: list[str]) -> bool:
    escaped = False
    for value in strings:
        if any(c in _ESCAPED_BY_FREESWITCH or not " " <= c <= "~" for c in value):
            return False
        escaped = escaped or _ESCAPE.search(value) is not None
    return escaped


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        if _ESCAPE.search(value) is None:
            return value
        try:
            return unquote_to_bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


# -- fields ------------------------------------------------------------------------------------


def number(value: Any, field: str) -> int | float | None:
    """A JSON number or a numeric string; None when absent or empty; CdrError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CdrError(f"{field}: a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CdrError(f"{field}: {value} is not a finite number")
        return value
    if not isinstance(value, str):
        raise CdrError(f"{field}: {_kind(value)} is not a number")
    text = value.strip()
    if not text:
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and math.isfinite(parsed := float(text)):
        return parsed
    raise CdrError(f"{field}: {text[:40]!r} is not a number")


def integer(value: Any, field: str, low: int = 0, high: int = INT32) -> int | None:
    found = number(value, field)
    if found is None:
        return None
    result = round(found)
    if not low <= result <= high:
        raise CdrError(f"{field}: {found} is out of range ({low}..{high})")
    return result


def epoch(value: Any, field: str, per_second: int) -> datetime | None:
    """Seconds (per_second=1) or microseconds (1_000_000) since the epoch; 0 means never."""
    found = number(value, field)
    if not found:
        return None
    seconds = found / per_second
    if not EARLIEST <= seconds < LATEST:
        raise CdrError(f"{field}: {found} is not a time between 2000 and 2100")
    return datetime.fromtimestamp(seconds, tz=UTC)


def stamp(value: Any, field: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` as FreeSWITCH writes *_stamp: the node's local time, with no zone. We
    read it as UTC (nodes are expected to run in UTC); an ISO 8601 offset, if given, is honoured."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CdrError(f"{field}: {_kind(value)} is not a date-time")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CdrError(f"{field}: {text[:40]!r} is not a date-time") from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if not EARLIEST <= parsed.timestamp() < LATEST:
        raise CdrError(f"{field}: {text[:40]!r} is not a time between 2000 and 2100")
    return parsed


def text(value: Any, field: str, limit: int, strict: bool = False) -> str | None:
    """A bounded, NUL-free, stripped string; None when empty. Over `limit`: cut, or CdrError if strict."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    elif not isinstance(value, str):
        raise CdrError(f"{field}: {_kind(value)} is not text")
    cleaned = value.replace("\x00", "").strip()
    if len(cleaned) > limit:
        if strict:
            raise CdrError(f"{field}: longer than {limit} characters")
        cleaned = cleaned[:limit].rstrip()
    return cleaned or None


def confidence(value: Any) -> float | None:
    """An AMD confidence, 0..1; a value in (1, 100] is read as a percentage."""
    found = number(value, "amd_confidence")
    if found is None or 0 <= found <= 1:
        return None if found is None else float(found)
    if 1 < found <= 100:
        return found / 100
    raise CdrError(f"amd_confidence: {found} is not between 0 and 1")


def flag(value: Any) -> bool | None:
    """switch_true / switch_false: None when absent or neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in TRUE else False if word in FALSE else None
    return None


_AMD = {
    "HUMAN": "HUMAN",
    "PERSON": "HUMAN",
    "LIVE": "HUMAN",
    "MACHINE": "VOICEMAIL",
    "VOICEMAIL": "VOICEMAIL",
    "ANSWERING_MACHINE": "VOICEMAIL",
    "FAX": "FAX",
    "SIT": "SIT",
    "NOTSURE": "UNKNOWN",
    "UNKNOWN": "UNKNOWN",
}


def amd_label(result: str | None, given: str | None, beep: bool) -> str | None:
    """mod_amd's amd_result (HUMAN | MACHINE | NOTSURE), else a label as given; mod_avmd's beep makes a
    HUMAN or unsure verdict VOICEMAIL. Labels: HUMAN, VOICEMAIL, FAX, SIT, UNKNOWN (anything else)."""
    word = (result or given or "").strip().upper()
    label = _AMD.get(word, "UNKNOWN") if word else None
    if beep and label in (None, "HUMAN", "UNKNOWN"):
        return "VOICEMAIL"
    return label


def tone_label(detected: str | None) -> str | None:
    """FAX or SIT from a tone name: the simulator's `detected_tone` (FAX_CNG, SIT), a tone_detect key."""
    word = (detected or "").strip().upper()
    if any(name in word for name in ("FAX", "CNG", "CED", "V21")):
        return "FAX"
    return "SIT" if "SIT" in word else None
