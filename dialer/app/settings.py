"""Settings, read once from the environment (`DIALER_*`). README.md, "Configuration", lists them."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A DIALER_* variable has a value the service cannot use."""


@dataclass(frozen=True)
class FreeSwitchNode:
    host: str
    port: int
    password: str


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://dialer.sqlite3"
    broadcast_url: str = "memory://"
    # "sim" runs the built-in simulator; otherwise a list of real ESL endpoints (a cluster).
    freeswitch: str = "sim"
    freeswitch_nodes: tuple[FreeSwitchNode, ...] = ()
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 2 * 1024**3
    # Uploads waiting for their import, kept until the job ends (share it between replicas).
    data_dir: str = "dialer-data"
    # Region of phone numbers written without a country code.
    default_region: str = "US"
    cors_origins: tuple[str, ...] = ()
    bootstrap_token: bool = True
    log_level: str = "info"
    # How FreeSWITCH nodes reach this service (mod_json_cdr, mod_xml_curl); default http://HOST:PORT.
    public_url: str = ""
    # Addresses allowed to post CDRs and fetch configuration (the FreeSWITCH nodes).
    fs_allow: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # The embedded simulator posts its CDRs here ("" = nowhere); unset, into this process's own app.
    sim_cdr_url: str | None = None
    # The embedded simulator's call models: a JSON file of trunk name -> model ("*": every other trunk).
    sim_trunks: str | None = None
    # A live answer not bridged to an agent within this is abandoned and hears this message.
    safe_harbor_seconds: float = 2.0
    safe_harbor_audio: str = "$${sounds_dir}/en/us/callie/ivr/8000/ivr-thank_you_for_calling.wav"
    # Seconds between mod_callcenter watchdog passes; a stuck agent is repaired after stuck_after.
    watchdog_interval: int = 15
    stuck_after: int = 60
    # Seconds after a bridged call ended with no agent disposition before its lead is closed (HUMAN).
    undisposed_after: int = 1800
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return "postgres" if self.database_url.startswith(("postgres://", "asyncpg://", "psycopg://")) else "sqlite"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def fs_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in self.fs_allow)

    @property
    def jwt_enabled(self) -> bool:
        return bool(self.jwt_secret or self.jwt_public_key)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def parse_freeswitch(value: str) -> tuple[FreeSwitchNode, ...]:
    """`sim`, or comma-separated `esl://[:password@]host[:port]` URLs (port 8021, password ClueCon)."""
    if value.strip() in {"", "sim"}:
        return ()
    nodes = []
    for item in value.split(","):
        parts = urlsplit(item.strip())
        if parts.scheme != "esl" or not parts.hostname:
            raise SettingsError(f"DIALER_FREESWITCH: expected 'sim' or esl://[:password@]host[:port], got {item!r}")
        try:
            port = parts.port or 8021
        except ValueError:
            raise SettingsError(f"DIALER_FREESWITCH: bad port in {item!r}") from None
        nodes.append(FreeSwitchNode(parts.hostname, port, parts.password or "ClueCon"))
    return tuple(nodes)


def _public_key(raw: str | None) -> str | None:
    """The RS256 key is PEM text, or a path to a PEM file (handy in container secrets)."""
    if not raw:
        return None
    if "-----BEGIN" in raw:
        return raw
    path = Path(raw)
    if not path.is_file():
        raise SettingsError(f"DIALER_JWT_PUBLIC_KEY is neither PEM text nor a readable file: {raw!r}")
    return path.read_text()


def _region(code: str) -> str:
    import phonenumbers

    code = code.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise SettingsError(f"DIALER_DEFAULT_REGION must be a region code such as US or MX, got {code!r}")
    return code


def _networks(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return Settings.fs_allow
    cidrs = tuple(item.strip() for item in raw.split(",") if item.strip())
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise SettingsError(f"DIALER_FS_ALLOW: {cidr!r} is not an IP address or CIDR") from None
    return cidrs


def _url(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip().rstrip("/")
    if raw and urlsplit(raw).scheme not in ("http", "https"):
        raise SettingsError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0.5 <= value <= 30:
        raise SettingsError(f"{name} must be between 0.5 and 30 seconds, got {value}")
    return value


def _file(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if raw and not Path(raw).is_file():
        raise SettingsError(f"{name}: no such file {raw!r}")
    return raw or None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    freeswitch = env.get("DIALER_FREESWITCH", "sim")
    database_url = env.get("DIALER_DATABASE_URL") or Settings.database_url
    if not database_url.startswith(("sqlite://", "postgres://", "asyncpg://")):
        raise SettingsError(f"DIALER_DATABASE_URL must be sqlite://… or postgres://…, got {database_url!r}")
    return Settings(
        database_url=database_url,
        broadcast_url=env.get("DIALER_BROADCAST_URL") or Settings.broadcast_url,
        freeswitch=freeswitch,
        freeswitch_nodes=parse_freeswitch(freeswitch),
        jwt_secret=env.get("DIALER_JWT_SECRET") or None,
        jwt_public_key=_public_key(env.get("DIALER_JWT_PUBLIC_KEY")),
        jwt_issuer=env.get("DIALER_JWT_ISSUER") or None,
        jwt_audience=env.get("DIALER_JWT_AUDIENCE") or None,
        host=env.get("DIALER_HOST") or Settings.host,
        port=_int(env, "DIALER_PORT", Settings.port, 1),
        max_body_bytes=_int(env, "DIALER_MAX_BODY_BYTES", Settings.max_body_bytes, 1024),
        max_upload_bytes=_int(env, "DIALER_MAX_UPLOAD_BYTES", Settings.max_upload_bytes, 1024),
        data_dir=env.get("DIALER_DATA_DIR") or Settings.data_dir,
        default_region=_region(env.get("DIALER_DEFAULT_REGION") or Settings.default_region),
        cors_origins=tuple(o.strip() for o in env.get("DIALER_CORS_ORIGINS", "").split(",") if o.strip()),
        bootstrap_token=_bool(env, "DIALER_BOOTSTRAP_TOKEN", True),
        log_level=env.get("DIALER_LOG_LEVEL", "info").lower(),
        public_url=_url(env, "DIALER_PUBLIC_URL"),
        fs_allow=_networks(env.get("DIALER_FS_ALLOW")),
        sim_cdr_url=_url(env, "DIALER_SIM_CDR_URL") if "DIALER_SIM_CDR_URL" in env else None,
        sim_trunks=_file(env, "DIALER_SIM_TRUNKS"),
        safe_harbor_seconds=_seconds(env, "DIALER_SAFE_HARBOR_SECONDS", Settings.safe_harbor_seconds),
        safe_harbor_audio=env.get("DIALER_SAFE_HARBOR_AUDIO", "").strip() or Settings.safe_harbor_audio,
        watchdog_interval=_int(env, "DIALER_WATCHDOG_INTERVAL", Settings.watchdog_interval, 1),
        stuck_after=_int(env, "DIALER_STUCK_AFTER", Settings.stuck_after, 1),
        undisposed_after=_int(env, "DIALER_UNDISPOSED_AFTER", Settings.undisposed_after, 60),
    )
