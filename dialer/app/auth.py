"""Bearer authentication: opaque tokens (`dlr_...`) from the database, or JWTs (HS256 with
DIALER_JWT_SECRET, RS256 with DIALER_JWT_PUBLIC_KEY) carrying `sub`, `role` and `exp`.

Basic authentication carries the same tokens as its password (any user name), because that is all
FreeSWITCH's mod_json_cdr and mod_xml_curl can send (`cred=freeswitch:dlr_...`)."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

import jwt

from dialer.app import tokens
from dialer.app.settings import Settings
from dialer.graphql.permissions import Principal, Role


@dataclass(frozen=True)
class Outcome:
    principal: Principal | None = None
    error: str | None = None


def _basic_password(credential: str) -> str:
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2].strip()


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys: list[tuple[str, str]] = []
        if settings.jwt_secret:
            self.keys.append(("HS256", settings.jwt_secret))
        if settings.jwt_public_key:
            self.keys.append(("RS256", settings.jwt_public_key))
        # Secrets of this process's own parts (the embedded simulator posting CDRs): never stored.
        self.internal: dict[str, Principal] = {}

    def issue_internal(self, subject: str, role: Role) -> str:
        secret = tokens.PREFIX + "internal_" + secrets.token_urlsafe(32)
        self.internal[secret] = Principal(subject=subject, role=role)
        return secret

    async def authenticate(self, authorization: str | None) -> Outcome:
        if not authorization:
            return Outcome(error="missing bearer token")
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() == "basic" and credential:
            credential = _basic_password(credential)
            scheme = "bearer"
        if scheme.lower() != "bearer" or not credential:
            return Outcome(error="the Authorization header must be 'Bearer <token>'")
        if credential in self.internal:
            return Outcome(principal=self.internal[credential])
        try:
            if credential.startswith(tokens.PREFIX):
                return Outcome(principal=await tokens.verify(credential))
            if credential.count(".") == 2:
                return Outcome(principal=self._jwt(credential))
        except ValueError as refused:
            return Outcome(error=str(refused))
        return Outcome(error="unknown token")

    def _jwt(self, credential: str) -> Principal:
        if not self.keys:
            raise ValueError("JWTs are not accepted: neither DIALER_JWT_SECRET nor DIALER_JWT_PUBLIC_KEY is set")
        try:
            algorithm = jwt.get_unverified_header(credential).get("alg")
        except jwt.PyJWTError:
            raise ValueError("malformed JWT") from None
        key = next((key for alg, key in self.keys if alg == algorithm), None)
        if key is None:
            raise ValueError(f"JWT algorithm {algorithm!r} is not accepted")
        try:
            claims = jwt.decode(
                credential,
                key,
                algorithms=[algorithm],
                issuer=self.settings.jwt_issuer,
                audience=self.settings.jwt_audience,
                options={"require": ["sub", "role", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise ValueError("token expired") from None
        except jwt.InvalidSignatureError:
            raise ValueError("bad JWT signature") from None
        except jwt.PyJWTError as invalid:
            raise ValueError(f"invalid JWT: {invalid}") from None
        try:
            role = Role(claims["role"])
        except (ValueError, TypeError):
            raise ValueError(f"JWT role {claims['role']!r} is not one of {', '.join(r.value for r in Role)}") from None
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise ValueError("JWT sub must be a non-empty string")
        return Principal(subject=claims["sub"][:200], role=role)
