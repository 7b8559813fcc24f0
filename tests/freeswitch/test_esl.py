"""The simulator's Event Socket, at the protocol level, and the controller's Node over it."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from dialer.freeswitch.node import AuthenticationFailed, Node, NodeConfig
from dialer.freeswitch.sim import SimNode
from dialer.freeswitch.sim.esl import url_encode
from tests.freeswitch.conftest import RawEsl


async def test_auth_then_api(sim: SimNode) -> None:
    esl = await RawEsl.connect(sim.port)
    headers, _ = await esl.send("api status")
    assert headers["Reply-Text"] == "-ERR command not found"
    headers, _ = await esl.send("auth s3cret")
    assert headers == {"Content-Type": "command/reply", "Reply-Text": "+OK accepted"}
    headers, body = await esl.send("api eval hello")
    assert headers["Content-Type"] == "api/response" and body == b"hello"
    headers, body = await esl.send("api no_such_thing")
    assert body == b"-ERR no_such_thing Command not found!\n"
    headers, _ = await esl.send("exit")
    assert headers["Reply-Text"] == "+OK bye"
    headers, body = await esl.frame()
    assert headers["Content-Type"] == "text/disconnect-notice" and body.startswith(b"Disconnected, goodbye.")
    assert await esl.reader.read() == b""
    await esl.close()


async def test_wrong_password_is_refused_and_closed(sim: SimNode) -> None:
    esl = await RawEsl.connect(sim.port)
    headers, _ = await esl.send("auth ClueCon")
    assert headers["Reply-Text"] == "-ERR invalid"
    headers, _ = await esl.frame()
    assert headers["Content-Type"] == "text/disconnect-notice"
    assert await esl.reader.read() == b""
    await esl.close()


async def test_controller_reports_a_wrong_password(sim: SimNode) -> None:
    node = Node(NodeConfig("fs1", sim.host, sim.port, "wrong"))
    with pytest.raises(AuthenticationFailed):
        await node.start()
    assert not node.up


async def test_bgapi_job_and_background_job_event(sim: SimNode) -> None:
    esl = await RawEsl.connect(sim.port)
    await esl.send("auth s3cret")
    headers, _ = await esl.send("event plain BACKGROUND_JOB")
    assert headers["Reply-Text"] == "+OK event listener enabled plain"
    esl.writer.write(b"bgapi eval done\nJob-UUID: job-1\n\n")
    headers, _ = await esl.frame()
    assert headers["Reply-Text"] == "+OK Job-UUID: job-1" and headers["Job-UUID"] == "job-1"
    headers, payload = await esl.frame()
    assert headers["Content-Type"] == "text/event-plain"
    text = payload.decode()
    assert "Event-Name: BACKGROUND_JOB\n" in text and "Job-UUID: job-1\n" in text
    assert text.endswith("Content-Length: 4\n\ndone")
    await esl.close()


async def test_json_events_filters_and_unknown_names(sim: SimNode) -> None:
    esl = await RawEsl.connect(sim.port)
    await esl.send("auth s3cret")
    assert (await esl.send("event json NOT_AN_EVENT"))[0]["Reply-Text"] == "-ERR no keywords supplied"
    assert (await esl.send("event json BACKGROUND_JOB"))[0]["Reply-Text"] == "+OK event listener enabled json"
    assert (await esl.send("filter Job-Command eval"))[0]["Reply-Text"] == "+OK filter added. [Job-Command]=[eval]"
    esl.writer.write(b"bgapi status\n\nbgapi eval Jos\xc3\xa9\n\n")
    assert (await esl.frame())[0]["Reply-Text"].startswith("+OK Job-UUID")
    assert (await esl.frame())[0]["Reply-Text"].startswith("+OK Job-UUID")
    headers, payload = await esl.frame()  # the status job was filtered out
    event = orjson.loads(payload)
    assert headers["Content-Type"] == "text/event-json"
    assert event["Job-Command"] == "eval" and event["_body"] == "José"
    assert event["Content-Length"] == str(len("José".encode()))
    assert (await esl.send("filter delete all"))[0]["Reply-Text"].startswith("+OK filter deleted")
    assert (await esl.send("noevents"))[0]["Reply-Text"] == "+OK no longer listening for events"
    assert (await esl.send("linger"))[0]["Reply-Text"] == "-ERR not controlling a session"
    await esl.close()


def test_plain_values_are_url_encoded_like_freeswitch() -> None:
    assert url_encode("a b:c") == "a%20b%3Ac"
    assert url_encode("José") == "Jos%C3%A9"
    assert url_encode("sofia/gw/1(2)*,!$'") == "sofia/gw/1(2)*,!$'"
    assert url_encode("") == "_undef_"


async def test_api_and_bgapi_replies_reach_their_callers_under_load(node: Node) -> None:
    """500 concurrent api and 500 bgapi from the app loop: every caller gets its own reply."""
    tokens = [f"tok{i:03d}" for i in range(500)]
    replies = await asyncio.gather(*(node.api(f"eval {token}") for token in tokens))
    assert replies == tokens
    jobs = await asyncio.gather(*(node.bgapi(f"eval job{token}") for token in tokens))
    assert len({job.uuid for job in jobs}) == 500
    results = await asyncio.wait_for(asyncio.gather(*(job.result for job in jobs)), 10)
    assert results == [f"job{token}" for token in tokens]


async def test_non_ascii_replies_do_not_break_the_connection(node: Node) -> None:
    names = ["José Müller", "Zoë 🎧 Ørsted", "日本語の名前", "plain"]
    for name in names:
        assert await node.api(f"eval {name}") == name
    job = await node.bgapi("eval Ünïcödé ✓")
    assert await asyncio.wait_for(job.result, 5) == "Ünïcödé ✓"
    assert await node.api("eval still fine") == "still fine"
