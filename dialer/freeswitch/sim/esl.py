"""The Event Socket (mod_event_socket, inbound) over TCP, in front of a simulated Switch.

Framing, replies and subscription rules are FreeSWITCH's (ESL-FACTS §4.1-4.3): auth, api (run
inline: later commands on the socket wait for it), bgapi with Job-UUID and BACKGROUND_JOB,
`event plain|json`, nixevent, noevents, filter, exit."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid as uuids
from collections import deque
from urllib.parse import quote

import orjson

from dialer.freeswitch.sim.switch import Switch

log = logging.getLogger(__name__)

DISCONNECT_NOTICE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
# switch_url_encode leaves these printable characters alone; everything else is %XX.
_SAFE = "!$'()*,/-._~"
_PLAIN = re.compile(r"[A-Za-z0-9!$'()*,/\-._~]*")
_encoded: dict[str, str] = {}
# switch_event.c EVENT_NAMES: unknown names in `event ...` are skipped silently.
EVENT_NAMES = frozenset(
    (
        "CUSTOM",
        "CLONE",
        "CHANNEL_CREATE",
        "CHANNEL_DESTROY",
        "CHANNEL_STATE",
        "CHANNEL_CALLSTATE",
        "CHANNEL_ANSWER",
        "CHANNEL_HANGUP",
        "CHANNEL_HANGUP_COMPLETE",
        "CHANNEL_EXECUTE",
        "CHANNEL_EXECUTE_COMPLETE",
        "CHANNEL_HOLD",
        "CHANNEL_UNHOLD",
        "CHANNEL_BRIDGE",
        "CHANNEL_UNBRIDGE",
        "CHANNEL_PROGRESS",
        "CHANNEL_PROGRESS_MEDIA",
        "CHANNEL_OUTGOING",
        "CHANNEL_PARK",
        "CHANNEL_UNPARK",
        "CHANNEL_APPLICATION",
        "CHANNEL_ORIGINATE",
        "CHANNEL_UUID",
        "API",
        "LOG",
        "INBOUND_CHAN",
        "OUTBOUND_CHAN",
        "STARTUP",
        "SHUTDOWN",
        "PUBLISH",
        "UNPUBLISH",
        "TALK",
        "NOTALK",
        "SESSION_CRASH",
        "MODULE_LOAD",
        "MODULE_UNLOAD",
        "DTMF",
        "MESSAGE",
        "PRESENCE_IN",
        "NOTIFY_IN",
        "PRESENCE_OUT",
        "PRESENCE_PROBE",
        "MESSAGE_WAITING",
        "MESSAGE_QUERY",
        "ROSTER",
        "CODEC",
        "BACKGROUND_JOB",
        "DETECTED_SPEECH",
        "DETECTED_TONE",
        "PRIVATE_COMMAND",
        "HEARTBEAT",
        "TRAP",
        "ADD_SCHEDULE",
        "DEL_SCHEDULE",
        "EXE_SCHEDULE",
        "RE_SCHEDULE",
        "RELOADXML",
        "NOTIFY",
        "PHONE_FEATURE",
        "PHONE_FEATURE_SUBSCRIBE",
        "SEND_MESSAGE",
        "RECV_MESSAGE",
        "REQUEST_PARAMS",
        "CHANNEL_DATA",
        "GENERAL",
        "COMMAND",
        "SESSION_HEARTBEAT",
        "CLIENT_DISCONNECTED",
        "SERVER_DISCONNECTED",
        "SEND_INFO",
        "RECV_INFO",
        "RECV_RTCP_MESSAGE",
        "SEND_RTCP_MESSAGE",
        "CALL_SECURE",
        "NAT",
        "RECORD_START",
        "RECORD_STOP",
        "PLAYBACK_START",
        "PLAYBACK_STOP",
        "CALL_UPDATE",
        "FAILURE",
        "SOCKET_DATA",
        "MEDIA_BUG_START",
        "MEDIA_BUG_STOP",
        "CONFERENCE_DATA_QUERY",
        "CONFERENCE_DATA",
        "CALL_SETUP_REQ",
        "CALL_SETUP_RESULT",
        "CALL_DETAIL",
        "DEVICE_STATE",
        "TEXT",
        "SHUTDOWN_REQUESTED",
        "ALL",
    )
)


def url_encode(value: str) -> str:
    if not value:
        return "_undef_"
    if _PLAIN.fullmatch(value):
        return value
    hit = _encoded.get(value)
    if hit is None:
        if len(_encoded) > 50_000:
            _encoded.clear()
        hit = _encoded[value] = quote(value, safe=_SAFE)
    return hit


def serialize_plain(event: dict[str, str]) -> bytes:
    lines = [f"{name}: {url_encode(value)}\n" for name, value in event.items() if name != "_body"]
    body = event.get("_body")
    if body is not None:
        lines.append(f"Content-Length: {len(body.encode())}\n\n{body}")
    else:
        lines.append("\n")
    return _frame("text/event-plain", "".join(lines).encode())


def serialize_json(event: dict[str, str]) -> bytes:
    document = {name: value for name, value in event.items() if name != "_body"}
    if "_body" in event:
        document["Content-Length"] = str(len(event["_body"].encode()))
        document["_body"] = event["_body"]
    return _frame("text/event-json", orjson.dumps(document))


def _frame(content_type: str, payload: bytes) -> bytes:
    return f"Content-Length: {len(payload)}\nContent-Type: {content_type}\n\n".encode() + payload


def _reply(text: str, **headers: str) -> bytes:
    extra = "".join(f"{name}: {value}\n" for name, value in headers.items())
    return f"Content-Type: command/reply\nReply-Text: {text}\n{extra}\n".encode()


class EslServer:
    def __init__(self, switch: Switch, host: str = "127.0.0.1", port: int = 0, password: str = "ClueCon") -> None:
        self.switch, self.host, self.port, self.password = switch, host, port, password
        self.connections: set[EslConnection] = set()
        self._server: asyncio.Server | None = None
        switch.subscribers.append(self._deliver)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: EslConnection(self), self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self, notice: str | None = None) -> None:
        """Close the listener and every connection: with a notice (a clean shutdown) or abruptly."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.close(notice)
        await asyncio.sleep(0)

    def _deliver(self, event: dict[str, str]) -> None:
        plain: bytes | None = None
        for connection in self.connections:
            if connection.wants(event):
                if connection.format == "json":
                    connection.write(serialize_json(event))
                else:
                    plain = plain or serialize_plain(event)
                    connection.write(plain)


class EslConnection(asyncio.Protocol):
    def __init__(self, server: EslServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.authed = False
        self.format = "plain"
        self.events: set[str] = set()
        self.custom: set[str] = set()
        self.all_events = False
        self.filters: list[tuple[str, str]] = []
        self._buffer = bytearray()
        self._commands: deque[tuple[str, dict[str, str], str]] = deque()
        self._busy = False  # an `api` is running: FreeSWITCH reads nothing else until it returns
        self._running = False

    # -- transport ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server.connections.add(self)
        self.write(b"Content-Type: auth/request\n\n")

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.transport = None

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def close(self, notice: str | None = None) -> None:
        if self.transport is None:
            return
        if notice is None:
            self.transport.abort()
            return
        self.write(_frame("text/disconnect-notice", notice.encode()))
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data.replace(b"\r", b"")
        while True:
            while buffer[:1] == b"\n":
                del buffer[:1]
            end = buffer.find(b"\n\n")
            if end < 0:
                break
            lines = buffer[:end].decode("utf-8", "replace").split("\n")
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(": ")
                if sep:
                    headers[name.lower()] = value
            length = int(headers.get("content-length", "0") or 0)
            if len(buffer) < end + 2 + length:
                break
            body = bytes(buffer[end + 2 : end + 2 + length]).decode("utf-8", "replace")
            del buffer[: end + 2 + length]
            self._commands.append((lines[0].strip(), headers, body))
        self._run()

    def _run(self) -> None:
        self._running = True
        try:
            while self._commands and not self._busy and self.transport is not None:
                self._command(*self._commands.popleft())
        finally:
            self._running = False

    # -- commands ----------------------------------------------------------------------------

    def _command(self, line: str, headers: dict[str, str], body: str) -> None:
        word, _, rest = line.partition(" ")
        word = word.lower()
        if not self.authed:
            if word != "auth":
                self.write(_reply("-ERR command not found"))
            elif rest.strip() == self.server.password:
                self.authed = True
                self.write(_reply("+OK accepted"))
            else:
                self.write(_reply("-ERR invalid"))
                self.close(DISCONNECT_NOTICE)
            return
        if word == "api":
            self._api(rest)
        elif word == "bgapi":
            self._bgapi(rest, headers.get("job-uuid") or str(uuids.uuid4()))
        elif word in ("event", "events"):
            self._event(rest.split())
        elif word == "nixevent":
            self._nixevent(rest.split())
        elif word == "noevents":
            had = self.all_events or bool(self.events or self.custom)
            self.events.clear(), self.custom.clear()
            self.all_events = False
            self.write(_reply("+OK no longer listening for events" if had else "-ERR not listening for events"))
        elif word == "filter":
            self._filter(rest)
        elif word in ("exit", "..."):
            self.write(_reply("+OK bye"))
            self.close(DISCONNECT_NOTICE)
        elif word in ("linger", "nolinger", "resume", "getvar", "connect"):
            self.write(_reply("-ERR not controlling a session"))
        elif word == "divert_events":
            self.write(_reply("-ERR not controlling a session."))
        else:
            self.write(_reply("-ERR command not found"))

    def _api(self, text: str) -> None:
        command, _, args = text.strip().partition(" ")
        self._busy = True
        self.server.switch.api(command, args.strip(), self._api_done)

    def _api_done(self, output: str) -> None:
        payload = (output or "-ERR no reply\n").encode()
        self.write(f"Content-Type: api/response\nContent-Length: {len(payload)}\n\n".encode() + payload)
        self._busy = False
        if not self._running:  # it finished later (a blocking originate): resume reading commands
            self._run()

    def _bgapi(self, text: str, job_uuid: str) -> None:
        command, _, args = text.strip().partition(" ")
        switch = self.server.switch
        self.write(_reply(f"+OK Job-UUID: {job_uuid}", **{"Job-UUID": job_uuid}))

        def done(output: str) -> None:
            headers = {"Job-UUID": job_uuid, "Job-Command": command}
            if args:
                headers["Job-Command-Arg"] = args
            switch.fire("BACKGROUND_JOB", headers, body=output or "-ERR no reply\n")

        switch.api(command, args.strip(), done)

    def _event(self, words: list[str]) -> None:
        if words and words[0].lower() in ("plain", "json", "xml"):
            self.format = "plain" if words[0].lower() == "xml" else words[0].lower()
            words = words[1:]
        added, custom = False, False
        for word in words:
            name = word.upper().removeprefix("SWITCH_EVENT_")
            if custom:
                self.custom.add(word)
                added = True
            elif name == "CUSTOM":
                custom = True
                added = True
            elif name == "ALL":
                self.all_events = added = True
            elif name in EVENT_NAMES:
                self.events.add(name)
                added = True
        self.write(_reply(f"+OK event listener enabled {self.format}" if added else "-ERR no keywords supplied"))

    def _nixevent(self, words: list[str]) -> None:
        custom = False
        for word in words:
            if custom:
                self.custom.discard(word)
            elif word.upper() == "CUSTOM":
                custom = True
            elif word.upper() == "ALL":
                self.all_events = False
                self.events.clear()
            else:
                self.events.discard(word.upper())
        self.write(_reply("+OK events nixed"))

    def _filter(self, text: str) -> None:
        words = text.split(" ", 1)
        if words[0] == "delete":
            rest = words[1].split(" ", 1) if len(words) > 1 else []
            if rest == ["all"]:
                self.filters.clear()
                self.write(_reply("+OK filter deleted. [all]"))
                return
            if not rest:
                self.write(_reply("-ERR invalid syntax"))
                return
            name, value = rest[0], rest[1] if len(rest) > 1 else None
            self.filters = [f for f in self.filters if f[0] != name or (value is not None and f[1] != value)]
            self.write(_reply(f"+OK filter deleted. [{name}][{value or ''}]"))
            return
        if words[0] == "add":
            words = words[1].split(" ", 1) if len(words) > 1 else []
        if len(words) < 2:
            self.write(_reply("-ERR invalid syntax"))
            return
        self.filters.append((words[0], words[1]))
        self.write(_reply(f"+OK filter added. [{words[0]}]=[{words[1]}]"))

    # -- delivery ----------------------------------------------------------------------------

    def wants(self, event: dict[str, str]) -> bool:
        if not self.authed:
            return False
        name = event["Event-Name"]
        if not self.all_events:
            if name == "CUSTOM":
                if event.get("Event-Subclass") not in self.custom:
                    return False
            elif name not in self.events:
                return False
        return not self.filters or _passes(self.filters, event)


def _passes(filters: list[tuple[str, str]], event: dict[str, str]) -> bool:
    """Once any filter exists, an event needs a positive match and no negative one."""
    positive = False
    for header, spec in filters:
        negative = spec.startswith("-")
        pattern = spec[1:] if spec[:1] in "+-" else spec
        value = event.get(header)
        if value is None:
            continue
        hit = re.search(pattern[1:].removesuffix("/"), value) is not None if pattern[:1] == "/" else value == pattern
        if hit and negative:
            return False
        positive = positive or (hit and not negative)
    return positive
