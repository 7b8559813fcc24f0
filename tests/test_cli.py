"""The `dialer` command, run as a user runs it: its own process, the configured database, no server."""

from __future__ import annotations

import json

from tests.conftest import dialer_cli


def test_token_create_list_revoke_and_use(migrated, client):
    created = dialer_cli(
        migrated, "token", "create", "--role", "supervisor", "--name", "night shift", "--expires-in", "12h"
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("dlr_")
    assert client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    listed = dialer_cli(migrated, "token", "list")
    assert listed.returncode == 0 and "night shift" in listed.stdout and "supervisor" in listed.stdout
    assert secret not in listed.stdout and "active" in listed.stdout
    token_id = next(word for word in listed.stdout.split() if word.startswith("tok_"))

    revoked = dialer_cli(migrated, "token", "revoke", token_id)
    assert revoked.returncode == 0 and token_id in revoked.stdout
    assert client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "revoked" in dialer_cli(migrated, "token", "list").stdout


def test_token_create_refuses_bad_input(migrated):
    assert dialer_cli(migrated, "token", "create", "--role", "root").returncode == 2
    bad = dialer_cli(migrated, "token", "create", "--role", "admin", "--expires-in", "soon")
    assert bad.returncode == 2 and "duration" in bad.stderr
    assert dialer_cli(migrated, "token", "revoke", "tok_999999").returncode == 1


def test_openapi_prints_the_document(migrated):
    printed = dialer_cli(migrated, "openapi")
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert document["openapi"] == "3.1.0" and "/campaigns/{id}/start" in document["paths"]


def test_bad_settings_are_reported_not_raised(migrated):
    done = dialer_cli({**migrated, "DIALER_PORT": "eighty"}, "migrate")
    assert done.returncode == 1 and "DIALER_PORT" in done.stderr and "Traceback" not in done.stderr
