"""Every operation x every role, over REST and over GraphQL: a role the operation does not declare
gets 403, a declared one never does; no token gets 401."""

from __future__ import annotations

import pytest
from graphql import print_ast

from dialer.graphql.operations import roles_of
from dialer.graphql.permissions import Role
from dialer.graphql.schema import schema
from dialer.rest_compat.routes import ROUTES
from dialer.rest_compat.shim import compile_routes
from tests.conftest import ADMIN, AUDIT_EVENT, CONTRACT_CAMPAIGN, bearer

COMPILED = compile_routes(schema._schema, ROUTES)
BODIES = {
    "createCampaign": CONTRACT_CAMPAIGN,
    "updateCampaign": {"pacing": 2.5},
    "recordAuditEvent": AUDIT_EVENT,
}
CASES = [(c, role) for c in COMPILED for role in Role]


def root_fields():
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        for name, field in root.fields.items():
            yield name, field.extensions["strawberry-definition"]


def test_every_operation_declares_its_roles_and_is_reachable_over_rest():
    by_field = {c.field_name for c in COMPILED}
    for name, field in root_fields():
        assert roles_of(field), f"{name} declares no roles"
        assert name in by_field, f"{name} has no REST route (add one, or a GraphQL-only case here)"
    for compiled in COMPILED:
        if compiled.body is not None:
            assert compiled.field_name in BODIES, f"add an example body for {compiled.field_name}"


def request_parts(compiled) -> tuple[str, dict | None]:
    path = compiled.route.path.replace("{id}", "cmp_1")
    body = BODIES.get(compiled.field_name) if compiled.body is not None else None
    return path, body


@pytest.mark.parametrize(
    ("compiled", "role"), CASES, ids=[f"{c.route.method} {c.route.path} as {r.value}" for c, r in CASES]
)
def test_rest_operation_by_role(client, compiled, role):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    path, body = request_parts(compiled)
    response = client.request(compiled.route.method, f"/api/v1{path}", json=body, headers=bearer(role.value))
    if role in compiled.roles:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    anonymous = client.request(compiled.route.method, f"/api/v1{path}", json=body)
    assert anonymous.status_code == 401


@pytest.mark.parametrize(("compiled", "role"), CASES, ids=[f"{c.field_name} as {r.value}" for c, r in CASES])
def test_graphql_operation_by_role(client, compiled, role):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    variables = {v.name: "cmp_1" for v in compiled.path_params}
    if compiled.body is not None:
        variables[compiled.body.name] = BODIES[compiled.field_name]
    response = client.post(
        "/graphql", json={"query": print_ast(compiled.document), "variables": variables}, headers=bearer(role.value)
    )
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
