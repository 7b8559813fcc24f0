"""mod_xml_curl, simulated for the `configuration` section: how a node learns a queue it was not
started with. `callcenter_config queue load|reload <q>` makes mod_callcenter open callcenter.conf
with a REQUEST_PARAMS event carrying `CC-Queue: <q>`; the binding POSTs the lookup and the event to
the gateway URL, and FreeSWITCH reads the `<configuration>` it answers with.

From mod_xml_curl.c (xml_url_fetch), switch_xml.c (switch_xml_open_cfg, switch_xml_locate) and
switch_event.c (switch_event_build_param_string):
- the body is `hostname=<switchname>&section=configuration&tag_name=configuration&key_name=name&
  key_value=callcenter.conf`, those five values as they are (not url-encoded), then `&<header>=<value>`
  for every header of the event, in order, each value url-encoded (switch_url_encode); with
  enable-post-var only the headers named are sent;
- `Content-Type: application/x-www-form-urlencoded`, `User-Agent: freeswitch-xml/1.0`, POST,
  redirects followed (10 at most), basic auth with gateway-credentials (auth-scheme: basic by
  default, digest supported here);
- only HTTP 200 counts. Any other status, a network error, a body over 1 MiB or one that does not
  parse, an answer `<section name="result"><result status="not found"/></section>`, and a document
  without `<section name="configuration"><configuration name="callcenter.conf">` all mean the same:
  FreeSWITCH reads its static files (here `SwitchConfig.queues`). A document that has
  callcenter.conf but not the queue is not a miss: the queue is not found.

`XmlCurl.source` is the Switch's `config_source`; a test on a VirtualClock can give the Switch a
plain function instead, and `locate` to read a document the way FreeSWITCH does."""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from dialer.freeswitch.sim.esl import url_encode

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024  # XML_CURL_MAX_BYTES
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "freeswitch-xml/1.0"}
Found = Callable[[ET.Element | None], None]


@dataclass(frozen=True)
class XmlCurlConfig:
    """One `<binding name="..."><param name="gateway-url" bindings="configuration"/>` of xml_curl.conf."""

    url: str  # gateway-url
    credentials: str | None = None  # gateway-credentials, "user:pass"
    auth_scheme: str = "basic"  # auth-scheme: basic (the default) or digest
    timeout: float = 5.0  # seconds (the module's `timeout`; 0 there means none)
    enable_post_vars: tuple[str, ...] = ()  # enable-post-var: post only these event headers

    def auth(self) -> httpx.Auth | None:
        if not self.credentials:
            return None
        user, _, password = self.credentials.partition(":")
        if self.auth_scheme.lstrip("=").lower() == "digest":
            return httpx.DigestAuth(user, password)
        return httpx.BasicAuth(user, password)


def request_body(
    hostname: str,
    section: str,
    tag_name: str,
    key_name: str,
    key_value: str,
    params: Mapping[str, str],
    post_vars: tuple[str, ...] = (),
) -> str:
    """xml_url_fetch's POST fields (switch_event_build_param_string with its prefix)."""
    fields = [f"hostname={hostname}&section={section}&tag_name={tag_name}&key_name={key_name}&key_value={key_value}"]
    for name, value in params.items():
        if not post_vars or name in post_vars:
            fields.append(f"{name}={url_encode(value) if value else ''}")
    return "&".join(fields)


def locate(document: str, section: str, tag_name: str, key_name: str, key_value: str) -> ET.Element | None:
    """switch_xml_locate on one binding's answer: the `<tag_name key_name=key_value>` element of the
    first `<section name=section>`, or None when FreeSWITCH would fall back to its static files."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as error:
        log.error("xml_curl: Error Parsing Result! (%s)", error)
        return None
    result = _child(root, "section", "name", "result")
    status = result.find("result") if result is not None else None
    if status is not None and (status.get("status") or "").lower() == "not found":
        log.info("xml_curl: %s %s not found: the static configuration is used", tag_name, key_value)
        return None
    found = _child(root, "section", "name", section)
    tag = _child(found, tag_name, key_name, key_value) if found is not None else None
    if tag is None:
        log.info("xml_curl: the answer has no %s %s: the static configuration is used", tag_name, key_value)
    return tag


def _child(parent: ET.Element, tag: str, attribute: str, value: str) -> ET.Element | None:
    """switch_xml_find_child: the first child `<tag attribute="value">`."""
    return next((child for child in parent.findall(tag) if child.get(attribute) == value), None)


@dataclass
class XmlCurl:
    """The HTTP side: each lookup POSTs in the background and hands its answer to `found`.
    `drain()` waits for the lookups in flight (tests); `close()` drops them (shutdown)."""

    config: XmlCurlConfig
    requests: int = 0
    misses: int = 0  # lookups answered with nothing usable: the static files were used
    _client: httpx.AsyncClient | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def source(self, name: str, params: Mapping[str, str], found: Found) -> None:
        """A Switch `config_source`: switch_xml_open_cfg(name) through this binding."""
        task = asyncio.get_running_loop().create_task(self._lookup(name, dict(params), found))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _lookup(self, name: str, params: dict[str, str], found: Found) -> None:
        try:
            answer = await self.fetch("configuration", "configuration", "name", name, params)
        except Exception:  # a fault here must not leave the api command waiting for ever
            log.exception("xml_curl: lookup of %s failed", name)
            answer = None
        if answer is None:
            self.misses += 1
        found(answer)

    async def fetch(
        self, section: str, tag_name: str, key_name: str, key_value: str, params: Mapping[str, str]
    ) -> ET.Element | None:
        config = self.config
        if self._client is None:
            timeout = config.timeout if config.timeout > 0 else None
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=True, max_redirects=10)
        hostname = params.get("FreeSWITCH-Switchname", "")
        body = request_body(hostname, section, tag_name, key_name, key_value, params, config.enable_post_vars)
        self.requests += 1
        try:
            response = await self._client.post(config.url, content=body.encode(), headers=HEADERS, auth=config.auth())
        except httpx.HTTPError as error:
            log.warning("xml_curl: CURL returned error fetching %s from %s: %r", key_value, config.url, error)
            return None
        if response.status_code != 200:
            log.error("xml_curl: Received HTTP error %d trying to fetch %s", response.status_code, config.url)
            return None
        if len(response.content) > MAX_BYTES:
            log.error("xml_curl: Oversized file detected [%d bytes] from %s", len(response.content), config.url)
            return None
        return locate(response.text, section, tag_name, key_name, key_value)

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
