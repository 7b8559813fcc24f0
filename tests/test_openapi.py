"""The OpenAPI document, and schemathesis against a real server: every operation, generated valid
and invalid input, no 5xx, every response as documented."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from dialer.graphql.permissions import Role
from dialer.graphql.schema import schema
from dialer.openapi import build_document
from dialer.rest_compat.routes import ROUTES
from dialer.rest_compat.shim import compile_routes
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN

EXAMPLES = int(os.environ.get("DIALER_SCHEMATHESIS_EXAMPLES", "60"))


def test_document_covers_every_route(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert str(route.status) in operation["responses"]
        for status in ("400", "401", "403", "500"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
        assert set(operation["x-roles"]) <= {r.value for r in Role}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/health"]["get"]["security"] == []


def test_input_constraints_are_in_the_document(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    create = schemas["CampaignCreateInput"]
    assert create["additionalProperties"] is False
    assert set(create["required"]) == {"name", "type", "listId", "queue", "trunkPolicy"}
    assert (
        create["properties"]["abandonCap"]["exclusiveMinimum"] == 0
        and create["properties"]["abandonCap"]["maximum"] == 1
    )
    assert schemas["AmdInput"]["properties"]["minConfidence"] == {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "default": 0.7,
        "description": "Below this the call is labelled UNKNOWN.",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(migrated: dict[str, str]) -> Iterator[str]:
    """`dialer serve` in its own process, on the test database."""
    port = _free_port()
    log = open(Path(migrated["DIALER_DATA_DIR"]) / "live-server.log", "w+")  # noqa: SIM115
    # Every simulated call is busy after 50 ms, so a fuzzed probe returns at once whatever its timeout.
    trunks = Path(migrated["DIALER_DATA_DIR"]) / "busy-trunks.json"
    trunks.write_text(
        '{"*": {"human": 0, "voicemail": 0, "fax": 0, "no_answer": 0, "sit": 0, "sip_failures": {}, '
        '"busy": 1, "pdd": "fixed:0.05"}}'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer.app.cli", "serve", "--port", str(port)],
        env={**os.environ, **migrated, "DIALER_LOG_LEVEL": "warning", "DIALER_SIM_TRUNKS": str(trunks)},
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads fills up and then blocks the server's logging.
        stderr=log,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        httpx.post(f"{url}/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)  # something for {id} to hit
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)  # graceful: open requests finish, the lifespan closes everything
        except subprocess.TimeoutExpired:
            process.kill()
            log.seek(0)
            raise AssertionError("the server did not stop within 30 s of SIGTERM:\n" + log.read()[-3000:]) from None
        log.seek(0)
        errors = log.read()
        log.close()
        assert "Traceback" not in errors, errors


# The document is built from code, so it is loaded eagerly (schemathesis' lazy fixture loader does
# not work with pytest 9); the server it is checked against is the live one.
api = schemathesis.openapi.from_dict(build_document(schema._schema, compile_routes(schema._schema, ROUTES)))


def test_the_served_document_is_the_one_checked(client):
    assert client.get("/api/v1/openapi.json").json() == api.raw_schema


@api.auth()
class AdminToken:
    """Through schemathesis' auth hook, not fixed headers, so cases that deliberately drop the
    Authorization header stay without it (and must get 401)."""

    def get(self, case, context):
        return ADMIN["Authorization"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


# Operations whose acceptance depends on facts no schema states: that a well-formed phone is a real
# number, that a well-formed campaign id exists, that an uploaded file is a CSV with a phone column.
# For them a 400 on schema-valid input is right, so only that one check is waived; every other
# check (no 5xx, documented statuses and bodies, invalid input refused) still runs.
SEMANTIC = {
    ("POST", "/dnc"): "phone must be a valid number; campaignId must exist",
    ("POST", "/dnc/bulk"): "campaignId must exist",
    ("GET", "/dnc/check"): "phone must be a valid number",
    ("DELETE", "/dnc/{phone}"): "phone must be a valid number; campaignId must exist",
    ("POST", "/leads/{leadId}/disposition"): "campaignId must exist; scheduledAt must be in the future",
    ("POST", "/lists/{id}/import"): "the file must be CSV with a phone column",
    ("POST", "/providers/{id}/probe"): "number must be a valid number",
    ("POST", "/campaigns"): "each span of callingHours must end after it starts",
    ("PATCH", "/campaigns/{id}"): "each span of callingHours must end after it starts",
    ("POST", "/providers"): "codecs must differ in more than letter case",
    ("PATCH", "/providers/{id}"): "codecs must differ in more than letter case",
    ("POST", "/cdr"): "the body must be a CDR (JSON or a cdr= form) with a uuid",
    ("POST", "/integrations/fs/guide"): "controllers must be IP addresses or networks",
    ("POST", "/integrations/fs/esl-suggest"): "controllers must be IP addresses or networks",
    ("GET", "/reports/cdr"): "from must be before to, at most 31 days; after must be a cursor this API gave",
    ("GET", "/reports/campaign"): "from must be before to, at most 31 days",
    ("GET", "/reports/provider"): "from must be before to, at most 31 days",
    ("GET", "/reports/agent"): "from must be before to, at most 31 days",
}


@api.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case, live_server):
    # Every check but one: the contract has no 405, so a method a path does not take is answered
    # 400 bad_request with an Allow header (README, "Errors"); test_errors checks that answer.
    waived = [positive_data_acceptance] if (case.operation.method.upper(), case.operation.path) in SEMANTIC else []
    case.call_and_validate(base_url=f"{live_server}/api/v1", excluded_checks=[unsupported_method, *waived])
