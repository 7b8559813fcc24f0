"""mod_json_cdr, simulated: POST each leg's CDR to the configured URL(s) (ESL-FACTS §7).

Honours the module's parameters: url (several: on failure it moves to the next), cred with the
basic auth-scheme, encode (true / base64 / false), encode-values (default true: every JSON value is
url-encoded), retries (attempts = retries + 1), delay (5 s when retries are set and delay is 0),
and log-b-leg. One difference: `delay` takes fractions of a second here, so tests stay fast."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import orjson

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JsonCdrConfig:
    urls: tuple[str, ...] = ()
    cred: str | None = None  # user:pass
    auth_scheme: str = "basic"
    encode: str = "false"  # true | base64 | false
    encode_values: bool = True
    retries: int = 0
    delay: float = 0.0
    log_b_leg: bool = True
    timeout: float = 5.0

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> JsonCdrConfig:
        """json_cdr.conf's <settings> as name -> value (`url` may hold several, comma-separated)."""

        def flag(name: str, default: bool) -> bool:
            value = params.get(name)
            return default if value is None else value.strip().lower() in ("true", "yes", "on", "1")

        return cls(
            urls=tuple(u.strip() for u in params.get("url", "").split(",") if u.strip()),
            cred=params.get("cred") or None,
            auth_scheme=params.get("auth-scheme", "basic").lstrip("=").lower(),
            encode=params.get("encode", "false").lower(),
            encode_values=flag("encode-values", True),
            retries=int(params.get("retries", "0")),
            delay=float(params.get("delay", "0")),
            log_b_leg=flag("log-b-leg", True),
        )

    @property
    def effective_delay(self) -> float:
        return 5.0 if self.retries and not self.delay else self.delay


def encode_values(document: Any) -> Any:
    """mod_json_cdr's encode-values: url-encode every string value, recursively."""
    if isinstance(document, dict):
        return {key: encode_values(value) for key, value in document.items()}
    if isinstance(document, list):
        return [encode_values(value) for value in document]
    if isinstance(document, str):
        return quote(document, safe="")
    return document


def request_body(config: JsonCdrConfig, cdr: Mapping[str, Any]) -> tuple[bytes, str]:
    document = encode_values(cdr) if config.encode_values else cdr
    text = orjson.dumps(document)
    if config.encode == "true":
        return b"cdr=" + quote(text, safe="").encode(), "application/x-www-form-urlencoded"
    if config.encode == "base64":
        return b"cdr=" + base64.b64encode(text), "application/x-www-form-base64-encoded"
    return text, "application/json"


@dataclass
class CdrPoster:
    """Posts in the background; `drain()` waits for every post in flight (tests, shutdown)."""

    config: JsonCdrConfig
    posted: int = 0
    failed: int = 0
    # Where the posts go; None is the network. The embedded simulator posts into its own app.
    transport: httpx.AsyncBaseTransport | None = None
    _client: httpx.AsyncClient | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def submit(self, cdr: dict[str, Any]) -> None:
        if not self.config.urls:
            return
        variables = cdr.get("variables", {})
        b_leg = variables.get("direction") == "inbound"
        if b_leg and not self.config.log_b_leg and variables.get("force_process_cdr") != "true":
            return
        task = asyncio.get_running_loop().create_task(self._post(cdr))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, cdr: dict[str, Any]) -> None:
        config = self.config
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=config.timeout, transport=self.transport)
        body, content_type = request_body(config, cdr)
        headers = {"Content-Type": content_type, "User-Agent": "freeswitch-json/1.0"}
        auth = None
        if config.cred and config.auth_scheme in ("basic", "any"):
            user, _, password = config.cred.partition(":")
            auth = httpx.BasicAuth(user, password)
        uuid = cdr.get("variables", {}).get("uuid", "")
        url_index = 0
        for attempt in range(config.retries + 1):
            if attempt:
                await asyncio.sleep(config.effective_delay)
            url = config.urls[url_index]
            try:
                response = await self._client.post(url, params={"uuid": uuid}, content=body, headers=headers, auth=auth)
                if 200 <= response.status_code < 300:
                    self.posted += 1
                    return
                reason = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                reason = repr(error)
            log.warning("json_cdr: post %s to %s failed (%s), attempt %d", uuid, url, reason, attempt + 1)
            url_index = (url_index + 1) % len(config.urls)
        self.failed += 1

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
