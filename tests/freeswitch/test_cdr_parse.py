"""Reading what mod_json_cdr posts: every body encoding, both layouts, and the refusals. Pure, fast."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson
import pytest

from dialer.engine.outcomes import CallOutcome, classify
from dialer.freeswitch.calls import Originate
from dialer.freeswitch.cdr import CdrError, CdrRecord, parse_cdr
from dialer.freeswitch.sim import Switch, VirtualClock
from dialer.freeswitch.sim.cdr import JsonCdrConfig, request_body
from tests.freeswitch.conftest import sim_config

# The contract's example ("CDR Intake"), with its "..." placeholders filled in.
CONTRACT = {
    "uuid": "6f1c2d9e-1b7a-4c55-9e0f-2a3b4c5d6e7f", "call_id": "a84b4c76e66710@pc33", "direction": "outbound",
    "start_stamp": "2025-12-09 08:01:02", "answer_stamp": "2025-12-09 08:01:05", "end_stamp": "2025-12-09 08:01:47",
    "duration": 45, "billsec": 42, "hangup_cause": "NORMAL_CLEARING", "sip_hangup_cause": "16",
    "caller_id_name": "Ventas Q1", "caller_id_number": "+13055550123", "destination_number": "+12223334444",
    "campaign_id": "cmp_1", "list_id": "lst_1", "lead_id": "lead_999", "trunk_id": "gw_main",
    "queue": "sales", "agent_id": "1001", "recording_url": "https://rec.example.com/rec.wav",
    "amd_label": "HUMAN", "amd_confidence": "0.84", "amd_latency_ms": "930",
    "progress_ms": "2500", "early_media_ms": "0", "network_addr": "1.2.3.4",
    "read_codec": "PCMU", "write_codec": "PCMU",
}  # fmt: skip
UNSAFE = '\r\n #%&+:;<=>?@[\\]^`{|}"'  # switch_utils.h SWITCH_URL_UNSAFE


def fs_url_encode(text: str) -> str:
    """switch_url_encode as FreeSWITCH 1.10 has it: UTF-8 bytes outside 0x20-0x7E and the unsafe set
    become %XX (space %20, + %2B), and an existing %XX with upper-case hex is let through."""
    out, data, index = [], text.encode(), 0
    while index < len(data):
        byte = data[index]
        if (
            byte == 0x25
            and index + 2 < len(data)
            and all(c in b"0123456789ABCDEF" for c in data[index + 1 : index + 3])
        ):
            out.append(data[index : index + 3].decode())
            index += 3
            continue
        char = chr(byte)
        out.append(f"%{byte:02X}" if byte < 0x20 or byte > 0x7E or char in UNSAFE else char)
        index += 1
    return "".join(out)


def parse(document: dict[str, Any], **kwargs: Any) -> CdrRecord:
    return parse_cdr(orjson.dumps(document), "application/json", **kwargs)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the contract's flat layout ----------------------------------------------------------------


def test_the_contract_example_as_raw_json() -> None:
    record = parse(CONTRACT)
    assert record.uuid == CONTRACT["uuid"] and record.call_id == "a84b4c76e66710@pc33"
    assert (record.start_at, record.answer_at, record.end_at) == (
        utc(2025, 12, 9, 8, 1, 2), utc(2025, 12, 9, 8, 1, 5), utc(2025, 12, 9, 8, 1, 47)
    )  # fmt: skip
    assert (record.duration_s, record.billsec_s, record.progress_ms, record.early_media_ms) == (45, 42, 2500, 0)
    # "sip_hangup_cause": "16" is a Q.850 number, not a SIP status.
    assert (record.hangup_cause, record.q850, record.sip_status) == ("NORMAL_CLEARING", 16, None)
    assert (record.campaign_id, record.list_id, record.lead_id, record.trunk_id) == (
        "cmp_1", "lst_1", "lead_999", "gw_main"
    )  # fmt: skip
    assert (record.queue, record.agent_id, record.agent_bridged) == ("sales", "1001", True)
    assert (record.amd_label, record.amd_confidence, record.amd_latency_ms) == ("HUMAN", 0.84, 930)
    assert (record.caller_id_number, record.destination_number, record.network_addr) == (
        "+13055550123", "+12223334444", "1.2.3.4"
    )  # fmt: skip
    assert record.recording_url == "https://rec.example.com/rec.wav" and record.read_codec == "PCMU"
    assert record.raw == CONTRACT and record.direction == "outbound"
    assert classify(**record.outcome_inputs()) is CallOutcome.HUMAN


def test_flat_layout_status_and_numbers_as_json_numbers() -> None:
    record = parse({**CONTRACT, "sip_hangup_cause": 486, "hangup_cause": "", "answer_stamp": "", "billsec": 0})
    assert (record.hangup_cause, record.q850, record.sip_status, record.answer_at) == ("USER_BUSY", 17, 486, None)
    assert classify(**record.outcome_inputs()) is CallOutcome.BUSY


def test_plain_values_with_percent_signs_are_left_alone() -> None:
    # A plain document (start_stamp holds a space): nothing in it is url-decoded.
    record = parse({**CONTRACT, "caller_id_name": "50%20off", "recording_url": "https://r.example/a%2Fb.wav"})
    assert record.caller_id_name == "50%20off" and record.recording_url == "https://r.example/a%2Fb.wav"


# -- the simulator's documents, end to end ----------------------------------------------------


def simulate(trunk: str, queue: str | None = None, agents: int = 0, seconds: float = 30.0) -> dict[str, Any]:
    """One call through the simulated switch in virtual time; its CDR document (values raw)."""
    clock = VirtualClock()
    switch = Switch(clock, sim_config())
    documents: list[dict[str, Any]] = []
    switch.cdr_sink = documents.append
    for n in range(agents):
        for command in (
            f"agent add 10{n:02d} callback",
            f"tier add {queue} 10{n:02d}",
            f"agent set status 10{n:02d} Available",
        ):
            switch.api("callcenter_config", command, lambda _: None)
    request = Originate(
        "15550001", trunk, campaign_id="cmp_1", list_id="lst_1", lead_id="lead_999",
        caller_id_name="Ventas Q1", caller_id_number="+13055550123",
        application="callcenter" if queue else "park", application_args=queue or "",
    )  # fmt: skip
    switch.api("originate", request.command().removeprefix("originate "), lambda _: None)
    clock.advance(seconds)
    [document] = documents
    return document


@pytest.mark.parametrize("encode", ["false", "true", "base64"])
@pytest.mark.parametrize("encode_values", [True, False])
def test_simulator_documents_in_every_encoding(encode: str, encode_values: bool) -> None:
    document = simulate("human", queue="sales", agents=1)
    body, content_type = request_body(JsonCdrConfig(encode=encode, encode_values=encode_values), document)
    record = parse_cdr(body, content_type, query_uuid=document["variables"]["uuid"])
    assert record.raw == document  # every layer undone, nothing lost
    assert record.uuid == document["variables"]["uuid"] and record.node == "sim-fs1"
    assert record.caller_id_name == "Ventas Q1" and record.caller_id_number == "+13055550123"
    assert (record.campaign_id, record.list_id, record.lead_id, record.trunk_id) == (
        "cmp_1",
        "lst_1",
        "lead_999",
        "human",
    )
    assert (record.queue, record.agent_id, record.agent_bridged, record.queue_wait_ms) == ("sales", "1000", True, 0)
    assert record.destination_number == "15550001" and record.direction == "outbound"
    assert record.start_at == utc(2026, 1, 1) and record.answer_at == utc(2026, 1, 1, 0, 0, 0, 30_000)
    assert record.end_at is not None and record.end_at > record.answer_at
    assert (record.hangup_cause, record.q850, record.sip_status, record.amd_label) == (
        "NORMAL_CLEARING",
        16,
        200,
        "HUMAN",
    )
    assert classify(**record.outcome_inputs()) is CallOutcome.HUMAN
    # The same record whatever the encoding.
    assert record == parse(document)


@pytest.mark.parametrize(
    ("trunk", "queue", "agents", "outcome"),
    [
        ("human", "sales", 1, CallOutcome.HUMAN),
        ("human", "sales", 0, CallOutcome.ABANDONED),  # hung up in the queue, no agent
        ("human", None, 0, CallOutcome.ABANDONED),  # answered, parked, never queued
        ("voicemail", None, 0, CallOutcome.VOICEMAIL),
        ("fax", None, 0, CallOutcome.FAX),
        ("sit", None, 0, CallOutcome.SIT),
        ("busy", None, 0, CallOutcome.BUSY),
        ("no_answer", None, 0, CallOutcome.NOANSWER),
        ("sip480", None, 0, CallOutcome.NOANSWER),
        ("sip404", None, 0, CallOutcome.INVALID_NUMBER),
        ("sip503", None, 0, CallOutcome.FAILED),
    ],
)
def test_simulated_calls_classify(trunk: str, queue: str | None, agents: int, outcome: CallOutcome) -> None:
    document = simulate(trunk, queue, agents, seconds=90)
    body, content_type = request_body(JsonCdrConfig(), document)  # FreeSWITCH's defaults
    record = parse_cdr(body, content_type)
    assert classify(**record.outcome_inputs()) is outcome
    if trunk == "voicemail":
        assert record.amd_label == "VOICEMAIL"
    if trunk == "fax":
        assert record.tone == "FAX"
    if queue and not agents:
        assert record.queue_cancel_reason == "NONE" and not record.agent_bridged
    if trunk == "busy":
        assert (record.sip_status, record.hangup_cause, record.answer_at, record.billsec_s) == (
            486,
            "USER_BUSY",
            None,
            0,
        )


# -- FreeSWITCH's own layout and encodings -----------------------------------------------------

VALUES = {
    "caller_id_name": "José & Ana + 50% off",
    "origination_caller_id_number": "+13055550123",
    "sip_to_uri": "sip:15550001@gw.example.com;user=phone",
}


def freeswitch_document(**variables: str) -> dict[str, Any]:
    """A 1.10-style document: variables as strings, callflow an array, times as numbers."""
    return {
        "core-uuid": "2f0b6c1e-0000-4000-8000-000000000001",
        "switchname": "fs-nyc-1",
        "channel_data": {"state": "CS_REPORTING", "direction": "outbound", "state_number": "11", "flags": "0=1;1=1"},
        "callStats": {"audio": {"inbound": {"mos": 4.49, "packet_count": 1031}}},
        "variables": {
            "uuid": "9a3e0c2b-7d4f-4e11-8a6b-5c4d3e2f1a0b",
            "direction": "outbound",
            "sip_call_id": "3c26700a-c1f5@10.0.0.5",
            "start_stamp": "2026-01-01 00:00:00",
            "start_uepoch": "1767225600000000",
            "progress_uepoch": "1767225601200000",
            "progress_media_uepoch": "1767225601500000",
            "answer_uepoch": "1767225607500000",
            "bridge_uepoch": "1767225608000000",
            "end_uepoch": "1767225667500000",
            "duration": "67",
            "billsec": "60",
            "progressmsec": "1200",
            "progress_mediamsec": "1500",
            "hangup_cause": "NORMAL_CLEARING",
            "hangup_cause_q850": "16",
            "sip_term_status": "200",
            "read_codec": "PCMA",
            "write_codec": "PCMA",
            "campaign_id": "7",
            "lead_id": "lead_42",
            "cc_queue": "sales@default",
            "cc_queue_joined_epoch": "1767225608",
            "cc_queue_answered_epoch": "1767225611",
            "cc_agent": "agent-7",
            **VALUES,
            **variables,
        },
        "app_log": {"applications": [{"app_name": "callcenter", "app_data": "sales@default", "app_stamp": 1}]},
        "callflow": [
            {
                "dialplan": "XML",
                "profile_index": "2",
                "caller_profile": {
                    "caller_id_name": "Ventas Q1",
                    "destination_number": "sales",
                    "network_addr": "203.0.113.9",
                },
                "times": {"created_time": 1767225600000000, "answered_time": 1767225607500000},
            },
            {
                "dialplan": "XML",
                "profile_index": "1",
                "caller_profile": {"destination_number": "+15550001", "network_addr": "198.51.100.1"},
                "times": {"created_time": 1767225600000000},
            },
        ],
    }


def fs_body(document: dict[str, Any], encode: str, encode_values: bool = True) -> tuple[bytes, str]:
    """What mod_json_cdr.c posts: encode-values touches `variables` only; encode=true url-encodes
    the whole text, base64 does not."""
    if encode_values:
        document = {**document, "variables": {k: fs_url_encode(v) for k, v in document["variables"].items()}}
    text = orjson.dumps(document)
    if encode == "true":
        return b"cdr=" + fs_url_encode(text.decode()).encode(), "application/x-www-form-urlencoded"
    if encode == "base64":
        return b"cdr=" + base64.b64encode(text), "application/x-www-form-base64-encoded"
    return text, "application/json"


@pytest.mark.parametrize("encode", ["false", "true", "base64"])
@pytest.mark.parametrize("encode_values", [True, False])
def test_freeswitch_layout_and_value_encoding(encode: str, encode_values: bool) -> None:
    document = freeswitch_document()
    body, content_type = fs_body(document, encode, encode_values)
    if encode_values:
        assert b"Jos%C3%A9%20%26%20Ana%20%2B%2050%25%20off" in (
            base64.b64decode(body[4:]) if encode == "base64" else body
        )
    record = parse_cdr(body, content_type)
    assert record.raw == document
    assert record.caller_id_name == VALUES["caller_id_name"] and record.caller_id_number == "+13055550123"
    assert (record.uuid, record.call_id, record.node) == (
        "9a3e0c2b-7d4f-4e11-8a6b-5c4d3e2f1a0b", "3c26700a-c1f5@10.0.0.5", "fs-nyc-1"
    )  # fmt: skip
    # The number dialled is the original profile's (the first is the transfer into the queue).
    assert record.destination_number == "+15550001" and record.network_addr == "203.0.113.9"
    assert record.answer_at == utc(2026, 1, 1, 0, 0, 7, 500_000) and (record.duration_s, record.billsec_s) == (67, 60)
    assert (record.progress_ms, record.early_media_ms, record.queue_wait_ms) == (1200, 6000, 3000)
    assert (record.queue, record.agent_id, record.agent_bridged) == ("sales@default", "agent-7", True)
    assert (record.read_codec, record.campaign_id, record.list_id) == ("PCMA", "7", None)
    assert classify(**record.outcome_inputs()) is CallOutcome.HUMAN


def test_form_body_survives_form_decoding_and_missing_content_type() -> None:
    # A name whose base64 holds both + and / (which three-byte alignment does depends on the padding).
    bodies = [
        fs_body(freeswitch_document(caller_id_name="x" * pad + "~~~>>>???"), "base64", False)[0] for pad in range(3)
    ]
    body = next(body for body in bodies if b"+" in body and b"/" in body)
    # A proxy that form-decoded it turned + into spaces.
    assert parse_cdr(body.replace(b"+", b" "), None).caller_id_name.endswith("~~~>>>???")  # type: ignore[union-attr]
    document = freeswitch_document()
    url_body, _ = fs_body(document, "true")
    assert parse_cdr(url_body, "text/plain").raw == document  # wrong content type: sniffed
    assert parse_cdr(b"uuid=x&" + url_body, None).raw == document
    assert parse_cdr(orjson.dumps(document), None).raw == document


def test_unanswered_failure_from_sip_invite_failure_status_and_old_callflow_object() -> None:
    document = freeswitch_document(
        answer_uepoch="0", billsec="0", hangup_cause="CALL_REJECTED", hangup_cause_q850="21",
        sip_term_status="", sip_invite_failure_status="603", bridge_uepoch="0",
        progressmsec="0", progress_mediamsec="0", progress_uepoch="0", progress_media_uepoch="0",
    )  # fmt: skip
    document["callflow"] = document["callflow"][1]  # before 1.6: an object, not an array
    for name in ("cc_queue", "cc_agent", "cc_queue_joined_epoch", "cc_queue_answered_epoch"):
        del document["variables"][name]
    record = parse_cdr(*fs_body(document, "false"))
    assert (record.answer_at, record.sip_status, record.q850, record.agent_bridged) == (None, 603, 21, False)
    assert (record.progress_ms, record.early_media_ms, record.destination_number) == (None, 0, "+15550001")
    assert classify(**record.outcome_inputs()) is CallOutcome.REJECTED


def test_proto_specific_cause_avmd_beep_spandsp_fax_and_exponent_times() -> None:
    document = freeswitch_document(sip_term_status="", proto_specific_hangup_cause="sip:486", avmd_detect="TRUE")
    document["variables"] = {k: v for k, v in document["variables"].items() if not k.startswith(("start", "end"))}
    document["callflow"][0]["times"] = {"created_time": 1.7672256e15, "hangup_time": 1.76722566750000e15}
    record = parse_cdr(*fs_body(document, "true"))
    assert record.sip_status == 486 and record.amd_label == "VOICEMAIL"
    assert record.start_at == utc(2026, 1, 1) and record.end_at == utc(2026, 1, 1, 0, 1, 7, 500_000)
    fax = parse_cdr(*fs_body(freeswitch_document(fax_result_code="0", amd_result="NOTSURE"), "false"))
    assert (fax.tone, fax.amd_label) == ("FAX", "UNKNOWN")


# -- refusals ----------------------------------------------------------------------------------


def refused(body: bytes, content_type: str | None = "application/json", query_uuid: str | None = None) -> str:
    with pytest.raises(CdrError) as caught:
        parse_cdr(body, content_type, query_uuid)
    assert isinstance(caught.value, ValueError) and str(caught.value) == caught.value.reason
    return caught.value.reason


def test_missing_uuid_and_uuid_from_the_query_only() -> None:
    flat = {key: value for key, value in CONTRACT.items() if key != "uuid"}
    assert refused(orjson.dumps(flat)).startswith("no uuid")
    assert parse(flat, query_uuid="0d5c3a8e-11aa-4bbb-8ccc-123456789abc").uuid == "0d5c3a8e-11aa-4bbb-8ccc-123456789abc"
    assert "not a call uuid" in refused(orjson.dumps(flat), query_uuid="a b")
    assert "longer than 64" in refused(orjson.dumps({**CONTRACT, "uuid": "x" * 65}))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"  \r\n", "empty body"),
        (b"[1, 2]", "is an array, not an object"),
        (b'"cdr"', "not a JSON object"),
        (b"42", "not a JSON object"),
        (b"null", "not a JSON object"),
        (b'{"uuid": "a",', "not valid JSON"),
        (b'{"uuid": "caf\xe9"}', "not UTF-8"),
        (b"cdr=%7B%22uuid%22%3A%22caf%E9%22%7D", "not UTF-8"),
        (b"cdr=!!!not-base64!!!", "neither url-encoded JSON nor valid base64"),
        (b"hello=world", "not a JSON object (it does not start with '{')"),
        (b"cdr=" + base64.b64encode(b"[]"), "is an array"),
    ],
)
def test_bodies_that_are_refused(body: bytes, reason: str) -> None:
    assert reason in refused(body)


def test_a_form_without_a_cdr_field() -> None:
    assert "neither a JSON document nor a form with a cdr= field" in refused(b"hello=world", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"billsec": "4x2"}, "billsec"),
        ({"duration": "NaN"}, "duration"),
        ({"duration": "-3"}, "duration"),
        ({"duration": True}, "duration"),
        ({"amd_confidence": "high"}, "amd_confidence"),
        ({"amd_confidence": "250"}, "amd_confidence"),
        ({"amd_latency_ms": [930]}, "amd_latency_ms"),
        ({"progress_ms": "2.5s"}, "progress_ms"),
        ({"sip_hangup_cause": "sip:486"}, "sip_hangup_cause"),
        ({"start_stamp": "yesterday"}, "start_stamp"),
        ({"start_stamp": "1999-12-31 23:59:59"}, "start_stamp"),
        ({"start_uepoch": "1767225600"}, "start_uepoch"),  # seconds in a microseconds field
        ({"lead_id": "lead_" + "9" * 40}, "lead_id"),
        ({"caller_id_name": {"first": "Ana"}}, "caller_id_name"),
    ],
)
def test_garbage_in_a_field_is_refused_naming_it(change: dict[str, Any], field: str) -> None:
    assert refused(orjson.dumps({**CONTRACT, **change})).startswith(f"{field}: ")


def test_nesting_and_size_limits() -> None:
    deep: dict[str, Any] = {"uuid": "a"}
    for _ in range(40):
        deep = {"x": deep}
    assert "nests deeper" in refused(orjson.dumps({**CONTRACT, "extra": deep}))
    assert "larger than" in refused(b"{" + b" " * (5 * 1024 * 1024) + b"}")


def test_text_is_bounded_and_nul_free() -> None:
    record = parse({**CONTRACT, "caller_id_name": "Ana\x00 María" + "x" * 300, "read_codec": "  PCMU  "})
    assert record.caller_id_name is not None and "\x00" not in record.caller_id_name
    assert record.caller_id_name.startswith("Ana María") and len(record.caller_id_name) == 255
    assert record.read_codec == "PCMU"
    record = parse({**CONTRACT, "campaign_id": 9, "lead_id": 999, "amd_confidence": 84})
    assert (record.campaign_id, record.lead_id, record.amd_confidence) == ("9", "999", 0.84)


def test_stamps_with_an_offset_and_sections_that_stay_encoded_when_undecodable() -> None:
    record = parse({**CONTRACT, "start_stamp": "2025-12-09T10:01:02+02:00", "end_stamp": "2025-12-09 08:01:47Z"})
    assert record.start_at == utc(2025, 12, 9, 8, 1, 2) and record.end_at == utc(2025, 12, 9, 8, 1, 47)
    document = freeswitch_document()
    document["variables"] = {"uuid": "u-1", "note": "%FF%FE", "caller_id_name": "Ana%20Mar%C3%ADa"}
    record = parse(document)
    assert record.caller_id_name == "Ana María" and record.raw["variables"]["note"] == "%FF%FE"


def test_quote_helper_matches_the_simulator_on_plain_text() -> None:
    assert fs_url_encode("Ventas Q1") == quote("Ventas Q1", safe="") == "Ventas%20Q1"
    assert fs_url_encode("50%41 & 100%") == "50%41%20%26%20100%25"  # %41 let through, as FreeSWITCH does
