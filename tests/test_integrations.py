"""The FreeSWITCH guide (markdown and zip), the live checklist, ESL snippets, and mod_xml_curl."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from tests.conftest import ADMIN, bearer

FS = bearer("integration", "fs1")
XML_CURL_FORM = (
    "hostname=fs-east-1&section=configuration&tag_name=configuration&key_name=name&key_value=callcenter.conf"
    "&Event-Name=REQUEST_PARAMS&CC-Queue=sales"
)


def seed(client) -> None:
    client.post("/api/v1/queues", json={"name": "sales", "strategy": "ring-all"}, headers=ADMIN)
    client.post("/api/v1/agents", json={"name": "1001", "contact": "user/1001"}, headers=ADMIN)
    client.post("/api/v1/queues/sales/tiers", json={"agent": "1001"}, headers=ADMIN)
    client.post(
        "/api/v1/providers", json={"name": "gw_main", "host": "sip.provider.net", "codecs": ["PCMU"]}, headers=ADMIN
    )


def test_guide_as_markdown(client):
    seed(client)
    response = client.post("/api/v1/integrations/fs/guide", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    for name in (
        "event_socket.conf.xml",
        "json_cdr.conf.xml",
        "callcenter.conf.xml",
        "xml_curl.conf.xml",
        "dialer_gateways.xml",
        "/api/v1/cdr",
        "gw_main",
        "sales",
    ):
        assert name in text, name


def test_guide_as_zip_holds_well_formed_config(client):
    seed(client)
    response = client.post(
        "/api/v1/integrations/fs/guide",
        json={"baseUrl": "https://dialer.example.com", "controllers": ["10.0.0.5", "10.0.1.0/24"]},
        headers={**ADMIN, "accept": "application/zip"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "README.md" in names
    xml_files = [n for n in names if n.endswith(".xml")]
    assert len(xml_files) >= 6
    for name in xml_files:
        ET.fromstring(archive.read(name))  # well formed
    json_cdr = next(n for n in xml_files if n.endswith("json_cdr.conf.xml"))
    assert b"https://dialer.example.com/api/v1/cdr" in archive.read(json_cdr)
    acl = next(n for n in xml_files if n.endswith("acl.conf.xml"))
    assert b"10.0.0.5/32" in archive.read(acl) and b"10.0.1.0/24" in archive.read(acl)
    callcenter = ET.fromstring(archive.read(next(n for n in xml_files if n.endswith("callcenter.conf.xml"))))
    assert callcenter.find(".//queue").get("name") == "sales"


def test_guide_refuses_bad_input_and_non_admins(client):
    bad = client.post("/api/v1/integrations/fs/guide", json={"controllers": ["not-an-ip"]}, headers=ADMIN)
    assert bad.status_code == 400
    assert client.post("/api/v1/integrations/fs/guide", headers=bearer("supervisor")).status_code == 403


def test_esl_suggest(client):
    response = client.post(
        "/api/v1/integrations/fs/esl-suggest", json={"controllers": ["10.0.0.5"], "password": "s3cret"}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    body = response.json()
    ET.fromstring(body["eventSocket"])
    assert 'name="password" value="s3cret"' in body["eventSocket"] and "10.0.0.5/32" in body["acl"]
    assert "reloadacl" in body["fsCli"]
    bad = client.post(
        "/api/v1/integrations/fs/esl-suggest", json={"controllers": ["10.0.0.999"], "password": "x"}, headers=ADMIN
    )
    assert bad.status_code == 400


def test_notes_is_a_checklist_judged_from_live_state(client):
    response = client.post("/api/v1/integrations/fs/notes", headers=ADMIN)
    assert response.status_code == 200, response.text
    checklist = response.json()
    items = {item["id"]: item for item in checklist["items"]}
    assert set(items) == {"connectivity", "events", "cdr", "queues", "gateways"}
    assert items["connectivity"]["status"] == "ok"  # the in-process simulator is up
    assert items["queues"]["status"] == "warn" and items["gateways"]["status"] == "warn"  # none defined yet
    assert all(item["fix"] for item in checklist["items"] if item["status"] != "ok")
    # (the cdr item depends on calls other tests made on the shared simulator, so it is not pinned here)
    assert checklist["status"] in ("warn", "fail")


def test_xml_curl_serves_callcenter_conf(client):
    seed(client)
    response = client.post(
        "/api/v1/fs/config",
        content=XML_CURL_FORM,
        headers={**FS, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    document = ET.fromstring(response.text)
    assert document.get("type") == "freeswitch/xml"
    queue = document.find(".//configuration[@name='callcenter.conf']/queues/queue")
    assert queue.get("name") == "sales"
    params = {p.get("name"): p.get("value") for p in queue.findall("param")}
    assert params["strategy"] == "ring-all"
    assert document.find(".//agents/agent").get("name") == "1001"
    other = client.post(
        "/api/v1/fs/config",
        content="section=configuration&key_name=name&key_value=sofia.conf",
        headers={**FS, "content-type": "application/x-www-form-urlencoded"},
    )
    assert ET.fromstring(other.text).find(".//result").get("status") == "not found"
