"""Shared steps of the lead tests: make a list, import a CSV and wait for its job."""

from __future__ import annotations

import time

from tests.conftest import ADMIN


def new_list(client, name: str = "Lista 12/09/2025") -> str:
    response = client.post("/api/v1/lists", json={"name": name}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def start_import(client, list_id: str, content: bytes, name: str = "leads.csv") -> dict:
    response = client.post(
        f"/api/v1/lists/{list_id}/import", files={"file": (name, content, "text/csv")}, headers=ADMIN
    )
    assert response.status_code == 202, response.text
    return response.json()


def wait(client, job_id: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/imports/{job_id}", headers=ADMIN).json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"import {job_id} did not finish: {job}")


def import_csv(client, list_id: str, content: bytes) -> dict:
    return wait(client, start_import(client, list_id, content)["id"])
