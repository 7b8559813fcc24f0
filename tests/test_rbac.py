"""Every operation x every role, over REST and over GraphQL: a role the operation does not declare
gets 403, a declared one never does; no token gets 401."""

from __future__ import annotations

import json
import re

import pytest
from graphql import print_ast

from dialer.graphql.operations import roles_of
from dialer.graphql.permissions import Role
from dialer.graphql.schema import schema
from dialer.rest_compat.routes import ROUTES
from dialer.rest_compat.shim import compile_routes
from tests.conftest import ADMIN, AUDIT_EVENT, CONTRACT_CAMPAIGN, bearer

COMPILED = compile_routes(schema._schema, ROUTES)
PHONE = "+12125551234"
BODIES = {
    "createCampaign": CONTRACT_CAMPAIGN,
    "updateCampaign": {"pacing": 2.5},
    "recordAuditEvent": AUDIT_EVENT,
    "createList": {"name": "Lista 12/09/2025"},
    "setRetryRules": {"rules": {"NOANSWER": {"cooldownMin": 30, "maxAttempts": 4}}},
    "recordDisposition": {"campaignId": "cmp_1", "disposition": "NOANSWER", "notes": "no one home"},
    "addDnc": {"phone": "+13055550123"},
    "addDncBulk": {"phones": ["+13055550124"]},
    "createQueue": {"name": "support", "strategy": "ring-all"},
    "createAgent": {"name": "1002", "contact": "user/1002", "type": "callback"},
    "setAgentState": {"status": "On Break"},
    "addTier": {"agent": "1001", "level": 2, "position": 1},
    "createProvider": {"name": "gw_backup", "host": "sip2.provider.net", "codecs": ["PCMU"]},
    "updateProvider": {"maxCps": 30},
    "probeProvider": {"number": "+12125551234", "timeoutSec": 2},
    "fsGuide": {},
    "fsEslSuggest": {"controllers": ["10.0.0.5"], "password": "s3cret"},
}
# Routes that take the body as it comes (mod_json_cdr, mod_xml_curl).
RAW = {
    "ingestCdr": json.dumps({"uuid": "rbac-cdr-2", "hangup_cause": "USER_BUSY", "sip_hangup_cause": "486"}),
    "fsConfiguration": "section=configuration&tag_name=configuration&key_name=name&key_value=callcenter.conf",
}
REPORT_PERIOD = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
QUERIES = {
    "dncCheck": {"phone": PHONE},
    **dict.fromkeys(("cdrReport", "campaignReport", "providerReport", "agentReport"), REPORT_PERIOD),
}
# The id a path parameter takes, by what the route is about.
IDS = {
    "campaigns": "cmp_1",
    "lists": "lst_1",
    "leads": "lead_1",
    "imports": "imp_1",
    "queues": "sales",
    "agents": "1001",
    "providers": "gw_main",
    "cdr": "rbac-cdr-1",
}
CSV = b"phone,firstName\n+12125551234,Ana\n"
CASES = [(c, role) for c in COMPILED for role in Role]


def root_fields():
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        for name, field in root.fields.items():
            yield name, field.extensions["strawberry-definition"]


@pytest.fixture()
def world(client):
    """One of everything the operations point at: cmp_1, lst_1 with lead_1, imp_1."""
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    client.post("/api/v1/lists", json={"name": "seed"}, headers=ADMIN)
    imported = client.post("/api/v1/lists/lst_1/import", files={"file": ("seed.csv", CSV, "text/csv")}, headers=ADMIN)
    assert imported.status_code == 202, imported.text
    for path, body in (
        ("/queues", {"name": "sales"}),
        ("/agents", {"name": "1001", "contact": "user/1001"}),
        ("/providers", {"name": "gw_main", "host": "sip.provider.net", "codecs": ["PCMU", "PCMA"]}),
    ):
        assert client.post(f"/api/v1{path}", json=body, headers=ADMIN).status_code == 201
    stored = client.post("/api/v1/cdr", json={"uuid": "rbac-cdr-1", "hangup_cause": "NO_ANSWER"}, headers=ADMIN)
    assert stored.status_code == 200, stored.text
    return client


def test_every_operation_declares_its_roles_and_is_reachable_over_rest():
    by_field = {c.field_name for c in COMPILED}
    for name, field in root_fields():
        assert roles_of(field), f"{name} declares no roles"
        assert name in by_field, f"{name} has no REST route (add one, or a GraphQL-only case here)"
    for compiled in COMPILED:
        if compiled.body is not None:
            assert compiled.field_name in BODIES, f"add an example body for {compiled.field_name}"
        if compiled.raw is not None:
            assert compiled.field_name in RAW, f"add an example body for {compiled.field_name}"


def path_of(compiled) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "phone":
            return PHONE
        if name == "leadId":
            return "lead_1"
        return IDS[compiled.route.path.split("/")[1]]

    return re.sub(r"{(\w+)}", value, compiled.route.path)


def call(client, compiled, headers=None):
    kwargs: dict = {"headers": headers or {}, "params": QUERIES.get(compiled.field_name)}
    if compiled.upload is not None:
        kwargs["files"] = {compiled.upload.name: ("leads.csv", CSV, "text/csv")}
    elif compiled.body is not None:
        kwargs["json"] = BODIES[compiled.field_name]
    elif compiled.raw is not None:
        kwargs["content"] = RAW[compiled.field_name]
    return client.request(compiled.route.method, f"/api/v1{path_of(compiled)}", **kwargs)


@pytest.mark.parametrize(
    ("compiled", "role"), CASES, ids=[f"{c.route.method} {c.route.path} as {r.value}" for c, r in CASES]
)
def test_rest_operation_by_role(world, compiled, role):
    response = call(world, compiled, bearer(role.value))
    if role in compiled.roles:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    assert call(world, compiled).status_code == 401


def graphql_variables(compiled) -> dict:
    path = path_of(compiled).split("/")
    template = compiled.route.path.split("/")
    variables = {t.strip("{}"): p for t, p in zip(template, path, strict=True) if t.startswith("{")}
    variables |= QUERIES.get(compiled.field_name, {})
    if compiled.body is not None:
        variables[compiled.body.name] = BODIES[compiled.field_name]
    if compiled.raw is not None:
        variables[compiled.raw.name] = RAW[compiled.field_name]
    if compiled.route.result == "csv":
        variables |= {"first": 10, "after": None}
    return variables


@pytest.mark.parametrize(("compiled", "role"), CASES, ids=[f"{c.field_name} as {r.value}" for c, r in CASES])
def test_graphql_operation_by_role(world, compiled, role):
    variables = graphql_variables(compiled)
    document = print_ast(compiled.document)
    if compiled.upload is not None:  # the GraphQL multipart request spec
        variables[compiled.upload.name] = None
        response = world.post(
            "/graphql",
            data={
                "operations": json.dumps({"query": document, "variables": variables}),
                "map": json.dumps({"0": [f"variables.{compiled.upload.name}"]}),
            },
            files={"0": ("leads.csv", CSV, "text/csv")},
            headers=bearer(role.value),
        )
    else:
        response = world.post("/graphql", json={"query": document, "variables": variables}, headers=bearer(role.value))
    errors = response.json().get("errors") or []
    codes = {error["extensions"]["code"] for error in errors}
    if role in compiled.roles:
        assert not codes & {"forbidden", "unauthorized", "server_error"}, errors
    else:
        assert codes == {"forbidden"}, errors


@pytest.mark.parametrize("body", [{}, {"name": 7}, []])
def test_credentials_are_checked_before_the_body(client, body):
    assert client.post("/api/v1/campaigns", json=body).status_code == 401
    assert client.post("/api/v1/campaigns", json=body, headers=bearer("viewer")).status_code == 403
    malformed = client.post(
        "/api/v1/campaigns", content=b"{oops", headers={**bearer("agent"), "content-type": "application/json"}
    )
    assert malformed.status_code == 403
