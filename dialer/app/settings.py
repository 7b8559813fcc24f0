"""Settings, read once from the environment (`DIALER_*`). README.md, "Configuration", lists them."""

from __future__ import annotations

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
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return "postgres" if self.database_url.startswith(("postgres://", "asyncpg://", "psycopg://")) else "sqlite"

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
    )
