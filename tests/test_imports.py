"""CSV imports: every row accounted for, with reasons; duplicates; DNC; time zones; jobs."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime, timedelta

from dialer.graphql.leads import bulk, imports
from dialer.graphql.phones import PhoneParser
from dialer.models import ImportJob, ImportReject, Lead
from tests.conftest import ADMIN, KIND, run
from tests.leads_helpers import import_csv, new_list, start_import, wait

MESSY = (
    "\ufeffPhone;First Name;LAST_NAME;state;TimeZone;alt-phone-1;ZIP;notes;Favourite Colour\r\n"
    '(212) 555-0100;Ana;Pérez;New York;;;10001;"likes mornings; call early";blue\r\n'
    "305-555-0101;Luis;García;FL;;;33101;;\r\n"
    '+1 415 555 0102;Mei;Chen;CA;America/Los_Angeles;;;"two\nlines";\r\n'
    "555-0103;Short;Number;TX;;;;;\r\n"
    "(212) 555-0100;Ana;Again;NY;;;;;\r\n"
    ";No;Phone;NY;;;;;\r\n"
    "+1 312 555 0104;Bad;State;Narnia;;;;;\r\n"
    "+1 646 555 0105;Alt;Bad;NY;;12;;;\r\n"
    "+1 720 555 0106;Tz;FromZip;;Mars/Base;;80202;;\r\n"
    "+1 808 555 0107;Tz;FromPhone;;;;;;\r\n"
    "+1 917 555 0108;On;Dnc;NY;;;;;\r\n"
    "\r\n"
    "+1 206 555 0109;Wa;State;washington;;;;;\r\n"
).encode()


def leads_of(client, list_id: str) -> dict[str, dict]:
    items = client.get(f"/api/v1/lists/{list_id}/leads", params={"limit": 500}, headers=ADMIN).json()["items"]
    return {lead["phone"]: lead for lead in items}


def test_a_messy_file_is_imported_row_by_row(client):
    client.post("/api/v1/dnc", json={"phone": "9175550108"}, headers=ADMIN)
    list_id = new_list(client)
    job = import_csv(client, list_id, MESSY)
    assert job["status"] == "done" and job["progressPct"] == 100
    assert job["total"] == 12 and job["accepted"] == 7 and job["rejected"] == 5  # the blank line is no row
    assert job["rejectedByReason"] == {
        "invalid_phone": 1,
        "duplicate_in_file": 1,
        "missing_phone": 1,
        "invalid_state": 1,
        "invalid_alt_phone1": 1,
    }
    assert job["duplicates"] == 1 and job["dncHits"] == 1

    leads = leads_of(client, list_id)
    ana = leads["+12125550100"]
    assert (ana["firstName"], ana["lastName"], ana["state"], ana["zip"]) == ("Ana", "Pérez", "NY", "10001")
    assert ana["timezone"] == "America/New_York" and ana["notes"] == "likes mornings; call early"
    assert ana["status"] == "new" and ana["attempts"] == 0
    assert leads["+14155550102"]["notes"] == "two\nlines"
    assert leads["+14155550102"]["timezone"] == "America/Los_Angeles"  # the row's own
    assert leads["+17205550106"]["timezone"] == "America/Denver"  # ZIP 80202, the row's zone is not IANA
    assert leads["+17205550106"]["state"] == "CO"  # from the ZIP
    assert leads["+18085550107"]["timezone"] == "Pacific/Honolulu"  # the exchange's
    assert leads["+12065550109"]["state"] == "WA"
    assert leads["+19175550108"]["status"] == "dnc" and leads["+19175550108"]["nextAttemptAt"] is None


def test_rejected_rows_download_as_csv_with_row_and_reason(client):
    list_id = new_list(client)
    job = import_csv(client, list_id, MESSY)
    response = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=ADMIN)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["row"], r["reason"]) for r in sorted(rows, key=lambda r: int(r["row"]))] == [
        ("4", "invalid_phone"),
        ("5", "duplicate_in_file"),
        ("6", "missing_phone"),
        ("7", "invalid_state"),
        ("8", "invalid_alt_phone1"),
    ]
    assert next(r for r in rows if r["row"] == "4")["line"].startswith("555-0103;Short;Number")


def test_a_second_import_rejects_what_the_list_has(client):
    list_id = new_list(client)
    import_csv(client, list_id, b"phone\n2125550100\n")
    job = import_csv(client, list_id, b"phone\n+12125550100\n2125550199\n")
    assert job["accepted"] == 1 and job["rejectedByReason"] == {"duplicate_in_list": 1}


def test_the_same_number_in_another_list_is_fine(client):
    first, second = new_list(client, "a"), new_list(client, "b")
    import_csv(client, first, b"phone\n2125550100\n")
    assert import_csv(client, second, b"phone\n2125550100\n")["accepted"] == 1


def test_comma_files_and_quoted_fields(client):
    list_id = new_list(client)
    job = import_csv(client, list_id, b'PHONE,firstname,notes\n"(212) 555-0100","Ana","a, b ""c"""\n')
    assert job["accepted"] == 1
    assert leads_of(client, list_id)["+12125550100"]["notes"] == 'a, b "c"'


def test_a_file_without_a_phone_column_is_400_before_any_row(client):
    list_id = new_list(client)
    response = client.post(
        f"/api/v1/lists/{list_id}/import",
        files={"file": ("x.csv", b"name,zip\nAna,10001\n", "text/csv")},
        headers=ADMIN,
    )
    assert response.status_code == 400
    assert "phone" in response.json()["error"]["details"]["fields"]["file"]
    empty = client.post(f"/api/v1/lists/{list_id}/import", files={"file": ("x.csv", b"", "text/csv")}, headers=ADMIN)
    assert empty.status_code == 400


def test_upload_errors(client):
    list_id = new_list(client)
    assert client.post(f"/api/v1/lists/{list_id}/import", json={"file": "x"}, headers=ADMIN).status_code == 400
    assert client.post(f"/api/v1/lists/{list_id}/import", data={"other": "x"}, headers=ADMIN).status_code == 400
    assert (
        client.post(
            "/api/v1/lists/lst_999/import", files={"file": ("x.csv", b"phone\n", "text/csv")}, headers=ADMIN
        ).status_code
        == 404
    )


def test_bad_bytes_reject_the_row_not_the_file(client):
    list_id = new_list(client)
    job = import_csv(client, list_id, b"phone,firstName\n2125550100,Jos\xe9\n2125550101,Ana\n")
    assert job["accepted"] == 1 and job["rejectedByReason"] == {"bad_encoding": 1}


def test_progress_is_reported_in_chunks(client, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 10)
    list_id = new_list(client)
    body = "phone\n" + "".join(f"212555{n:04d}\n" for n in range(100, 160))
    job = import_csv(client, list_id, body.encode())
    assert job["accepted"] == 60 and job["total"] == 60


def test_cancel_rolls_the_list_back(client, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 5)
    list_id = new_list(client)
    import_csv(client, list_id, b"phone\n2125550001\n")
    body = "phone\n" + "".join(f"212555{n:04d}\n" for n in range(100, 400))
    job = start_import(client, list_id, body.encode())
    cancelled = client.post(f"/api/v1/imports/{job['id']}/cancel", headers=ADMIN)
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelling"
    final = wait(client, job["id"])
    assert final["status"] == "cancelled" and final["accepted"] == 0
    assert list(leads_of(client, list_id)) == ["+12125550001"]
    again = client.post(f"/api/v1/imports/{job['id']}/cancel", headers=ADMIN)
    assert again.status_code == 409


def test_a_crashed_import_resumes_to_the_same_result(client, monkeypatch):
    """Kill the job after its second chunk, then let the sweep resume it from the checkpoint."""
    monkeypatch.setattr(imports, "CHUNK", 7)
    list_id = new_list(client)
    body = "phone\n" + "".join(f"212555{n:04d}\n" for n in range(100, 150)) + "2125550100\nbad\n"
    real_store = imports._store
    calls = {"n": 0}

    async def crashing_store(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise asyncio.CancelledError  # as when the process stops: nothing marks the job failed
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(imports, "_store", crashing_store)
    job = start_import(client, list_id, body.encode())
    key = int(job["id"].split("_")[1])
    worker = client.app.state.services.imports
    for _ in range(500):  # until the job's task has ended (on PostgreSQL the second chunk may commit last)
        if calls["n"] >= 3 and key not in worker.tasks:
            break
        time.sleep(0.02)
    state = client.get(f"/api/v1/imports/{job['id']}", headers=ADMIN).json()
    assert state["status"] == "running" and state["total"] == 14  # two chunks committed, the third lost

    monkeypatch.setattr(imports, "_store", real_store)

    async def age_heartbeat() -> None:
        await ImportJob.filter(id=key).update(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
        await client.app.state.services.imports.sweep()

    run(client, age_heartbeat)
    final = wait(client, job["id"])
    assert final["status"] == "done"
    assert (final["total"], final["accepted"], final["rejected"]) == (52, 50, 2)
    assert final["rejectedByReason"] == {"duplicate_in_file": 1, "invalid_phone": 1}

    async def count() -> int:
        return await Lead.filter(list_id=int(list_id.split("_")[1])).count()

    assert run(client, count) == 50


def test_large_files_are_read_by_a_child_process(client, monkeypatch):
    """The same result through the process reader (used from PROCESS_FROM_BYTES up)."""
    from dialer.graphql.leads import chunks

    monkeypatch.setattr(chunks, "PROCESS_FROM_BYTES", 1)
    monkeypatch.setattr(imports, "CHUNK", 3)
    list_id = new_list(client)
    job = import_csv(client, list_id, MESSY)
    assert (job["status"], job["total"], job["accepted"], job["rejected"]) == ("done", 12, 7, 5)
    assert job["rejectedByReason"]["duplicate_in_file"] == 1


def test_tabs_backslashes_and_newlines_are_stored_as_read(client):
    """PostgreSQL stages rows as COPY text: what that format escapes must come back unchanged."""
    list_id = new_list(client)
    body = (
        b'phone,firstName,lastName,notes\n2125550100,"Ana\tMaria","back\\\\slash","\\N"\n'
        b'2125550101,Luis,"carriage\rreturn","two\nlines \\t"\n'
        b'2125550100,"Dup\tTab","x\\\\y",dup\n'
        b"2125550102,Nul\x00Byte,Z,\n"
    )
    job = import_csv(client, list_id, body)
    assert job["status"] == "done" and job["accepted"] == 2
    assert job["rejectedByReason"] == {"duplicate_in_file": 1, "bad_encoding": 1}
    leads = leads_of(client, list_id)
    assert (leads["+12125550100"]["firstName"], leads["+12125550100"]["lastName"]) == ("Ana\tMaria", "back\\\\slash")
    assert leads["+12125550100"]["notes"] == "\\N"  # text, not COPY's NULL
    assert (leads["+12125550101"]["lastName"], leads["+12125550101"]["notes"]) == ("carriage\rreturn", "two\nlines \\t")
    rows = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=ADMIN).text
    found = {r["row"]: r for r in csv.DictReader(io.StringIO(rows))}
    assert found["3"]["line"] == "2125550100,Dup\tTab,x\\\\y,dup"  # as read, re-encoded
    assert found["4"]["reason"] == "bad_encoding" and found["4"]["line"].startswith("2125550102,Nul")


def test_a_number_repeated_in_the_next_chunk_is_named_as_within_one(client, monkeypatch):
    """On PostgreSQL two chunks are stored at once: a number of the chunk still uncommitted is named
    as if that chunk had committed (in the file; in the list only if it was there before)."""
    monkeypatch.setattr(imports, "CHUNK", 2)
    list_id = new_list(client)
    import_csv(client, list_id, b"phone\n2125550199\n")  # already in the list
    real = bulk.store_staged
    spans: list[tuple[float, float]] = []

    async def first_commits_late(*args, **kwargs):
        began = time.monotonic()
        stored = await real(*args, **kwargs)
        if not spans:
            await asyncio.sleep(0.3)  # the next chunk's statement runs before this one commits
        spans.append((began, time.monotonic()))
        return stored

    monkeypatch.setattr(bulk, "store_staged", first_commits_late)
    body = b"phone\n2125550100\n2125550199\n2125550100\n2125550199\n2125550100\n2125550101\n"
    job = import_csv(client, list_id, body)
    assert (job["accepted"], job["rejected"]) == (2, 4)
    assert job["rejectedByReason"] == {"duplicate_in_list": 2, "duplicate_in_file": 2}
    reasons = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=ADMIN).text
    assert sorted((r["row"], r["reason"]) for r in csv.DictReader(io.StringIO(reasons))) == [
        ("2", "duplicate_in_list"),
        ("3", "duplicate_in_file"),
        ("4", "duplicate_in_list"),
        ("5", "duplicate_in_file"),
    ]
    if KIND == "postgres":
        assert spans[1][0] < spans[0][1]  # the second chunk was stored while the first was open


def test_a_crash_mid_chunk_leaves_the_list_as_of_the_last_checkpoint(client, monkeypatch):
    """The process dies after a chunk's rows were written but before its commit (on PostgreSQL with
    the next chunk in flight): neither chunk's leads or rejects remain, and the resumed job ends as
    an uninterrupted one does."""
    monkeypatch.setattr(imports, "CHUNK", 7)
    body = ("phone\n" + "".join(f"212555{n:04d}\n" for n in range(100, 150)) + "2125550100\nbad\n").encode()
    calls = {"n": 0}
    real_staged, real_objects = bulk.store_staged, imports._store_objects

    def dying(real):
        async def store(*args, **kwargs):
            stored = await real(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:
                raise asyncio.CancelledError  # as when the process stops: nothing marks the job failed
            return stored

        return store

    monkeypatch.setattr(bulk, "store_staged", dying(real_staged))
    monkeypatch.setattr(imports, "_store_objects", dying(real_objects))
    list_id = new_list(client)
    key = int(start_import(client, list_id, body)["id"].split("_")[1])
    worker = client.app.state.services.imports
    for _ in range(500):
        if calls["n"] >= 3 and key not in worker.tasks:
            break
        time.sleep(0.02)
    list_key = int(list_id.split("_")[1])

    async def state() -> tuple[ImportJob, int, int]:
        job = await ImportJob.get(id=key)
        return job, await Lead.filter(list_id=list_key).count(), await ImportReject.filter(job_id=key).count()

    job, leads, rejects = run(client, state)
    assert (job.status, job.rows_done, job.accepted, job.rejected) == ("running", 14, 14, 0)
    assert (leads, rejects) == (14, 0)

    monkeypatch.setattr(bulk, "store_staged", real_staged)
    monkeypatch.setattr(imports, "_store_objects", real_objects)

    async def resume() -> None:
        await ImportJob.filter(id=key).update(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
        await worker.sweep()

    run(client, resume)
    final = wait(client, f"imp_{key}")
    again = import_csv(client, new_list(client, "uninterrupted"), body)
    for field in ("status", "total", "accepted", "rejected", "rejectedByReason", "duplicates"):
        assert final[field] == again[field]
    job, leads, rejects = run(client, state)
    assert (leads, rejects) == (50, 2)


def test_a_cancel_landing_before_the_job_starts_is_kept(client, tmp_path):
    list_id = int(new_list(client).split("_")[1])
    path = tmp_path / "leads.csv"
    path.write_bytes(b"phone\n2125550100\n")

    async def cancel_then_run() -> str:
        job = await ImportJob.create(
            list_id=list_id, filename="leads.csv", path=str(path), status="queued", created_by="test"
        )
        await ImportJob.filter(id=job.id).update(status="cancelling")  # after the worker read the job

        async def progress(_: ImportJob) -> None:
            return None

        await imports.run(job, PhoneParser(), progress, owned_file=False)
        return (await ImportJob.get(id=job.id)).status

    assert run(client, cancel_then_run) == "cancelled"
