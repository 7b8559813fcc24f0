"""Bearer tokens: opaque (hashed, expiring, revocable) and JWT (HS256, RS256)."""

from __future__ import annotations

import base64
from datetime import timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from dialer.app import tokens
from dialer.graphql.permissions import Role
from dialer.models import ApiToken
from tests.conftest import make_jwt, run


def status_with(client, token: str) -> tuple[int, dict]:
    response = client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_no_token_is_401_with_challenge(client):
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "unauthorized", "message": "missing bearer token", "details": {}}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_wrong_scheme_is_401(client):
    response = client.get("/api/v1/campaigns", headers={"Authorization": "Digest username=admin"})
    assert response.status_code == 401 and "Bearer" in response.json()["error"]["message"]


def test_basic_auth_takes_a_token_as_its_password(client):
    """What mod_json_cdr and mod_xml_curl can send: `cred=freeswitch:<token>`."""
    not_a_token = client.get("/api/v1/campaigns", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})  # admin:admin
    assert not_a_token.status_code == 401 and not_a_token.json()["error"]["message"] == "unknown token"
    issued = run(client, lambda: tokens.create(Role.viewer, "fs"))
    basic = base64.b64encode(f"freeswitch:{issued.secret}".encode()).decode()
    assert client.get("/api/v1/campaigns", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    garbled = client.get("/api/v1/campaigns", headers={"Authorization": "Basic %%%"})
    assert garbled.status_code == 401


def test_opaque_token_is_stored_hashed_and_works_until_revoked(client):
    issued = run(client, lambda: tokens.create(Role.supervisor, "carol"))
    assert issued.secret.startswith("dlr_")

    async def stored() -> list[ApiToken]:
        return await ApiToken.all()

    rows = run(client, stored)
    assert rows[0].token_hash == tokens.digest(issued.secret) and issued.secret not in rows[0].token_hash
    assert status_with(client, issued.secret)[0] == 200
    run(client, lambda: tokens.revoke(issued.row.public_id))
    code, body = status_with(client, issued.secret)
    assert code == 401 and body["error"]["message"] == "token revoked"


def test_opaque_token_expires(client):
    issued = run(client, lambda: tokens.create(Role.viewer, "short", timedelta(seconds=-1)))
    code, body = status_with(client, issued.secret)
    assert code == 401 and body["error"]["message"] == "token expired"


def test_unknown_opaque_token(client):
    assert status_with(client, "dlr_not-a-real-token")[0] == 401
    assert status_with(client, "garbage")[0] == 401


def test_rotation_keeps_the_new_token_working(client):
    old = run(client, lambda: tokens.create(Role.admin, "ci"))
    new = run(client, lambda: tokens.create(Role.admin, "ci"))
    run(client, lambda: tokens.revoke(old.row.public_id))
    assert status_with(client, old.secret)[0] == 401
    assert status_with(client, new.secret)[0] == 200


def test_jwt_hs256(client):
    assert status_with(client, make_jwt("viewer"))[0] == 200


def test_jwt_rs256(client, rsa_key):
    assert status_with(client, make_jwt("viewer", key=rsa_key, algorithm="RS256"))[0] == 200


def test_jwt_expired(client):
    code, body = status_with(client, make_jwt("admin", expires_in=timedelta(seconds=-5)))
    assert code == 401 and body["error"]["message"] == "token expired"


def test_jwt_bad_signature(client):
    code, body = status_with(client, make_jwt("admin", key="another-secret-of-sufficient-length!!"))
    assert code == 401 and "signature" in body["error"]["message"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert status_with(client, make_jwt("admin", key=other, algorithm="RS256"))[0] == 401


def test_jwt_needs_sub_role_and_exp_and_a_known_role(client):
    no_exp = jwt.encode({"sub": "x", "role": "admin"}, "test-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    assert status_with(client, no_exp)[0] == 401
    assert status_with(client, make_jwt("admin", sub=None))[0] == 401
    code, body = status_with(client, make_jwt("superuser"))
    assert code == 401 and "role" in body["error"]["message"]


def test_jwt_alg_none_is_refused(client):
    unsigned = jwt.encode({"sub": "x", "role": "admin", "exp": 9999999999}, None, algorithm="none")
    assert status_with(client, unsigned)[0] == 401


def test_duration_parsing():
    assert tokens.parse_duration("90m") == timedelta(minutes=90)
    assert tokens.parse_duration("1d12h") == timedelta(hours=36)
    for bad in ("", "12", "1x", "0s", "1h 30m", "-1h"):
        try:
            tokens.parse_duration(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
