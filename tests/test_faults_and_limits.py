"""Faults answered, limits, conversation identity, payloads and the API token, against the real
servers started by scripts/serve.sh (ports RASA_PORT / ACTION_PORT; SQLite conversations).

The action server is killed (serve.sh starts it again) and paused (SIGSTOP: a slow action server)
while visitors write over REST and socket.io: they get the short "I'm having trouble" reply, never
silence. A 1 MB message is answered and stored cut to MESO_MAX_MESSAGE_CHARS; one address
sending 50 requests a second gets HTTP 429s while another visitor is answered (127.0.0.2 and
127.0.0.3 are loopback addresses that are not exempt from the limits, unlike 127.0.0.1).
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bot.clinic.profile import trouble_message
from bot.maintain.servers import is_action_server, serving
from bot.settings import PROJECT_ROOT, load_clinic, load_settings
from tests.support import widget_socket

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
SETTINGS = load_settings()
RASA_PORT = SETTINGS.rasa_port
TROUBLE = trouble_message(load_clinic())
ACTION_TIMEOUT_S = 3.0

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"), reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def servers():
    env = dict(os.environ)
    env.pop("RASA_AUTH_TOKEN", None)
    env["ACTION_TIMEOUT"] = str(ACTION_TIMEOUT_S)
    with serving(env) as running:
        yield running


def post(sender: Optional[str], text: str, source: str = "127.0.0.1", raw: Optional[bytes] = None,
         timeout: float = 60) -> Tuple[int, Any]:
    """POST to the REST channel from the loopback address ``source``; (status, decoded JSON)."""
    body = raw if raw is not None else json.dumps({"message": text, **({"sender": sender} if sender else {})}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", RASA_PORT, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        content = answer.read()
        return answer.status, json.loads(content) if content else None
    finally:
        connection.close()


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [message.get("text", "") for message in messages]


def wait_for_normal_answers(timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, messages = post(uuid.uuid4().hex, "what is mesotherapy?")
        if status == 200 and messages and TROUBLE not in texts(messages):
            return
        time.sleep(1)
    raise AssertionError("the action server did not come back")


def action_server_pids(servers) -> List[int]:
    pids = servers.pids(is_action_server)
    assert pids, "no action server"
    return pids


async def widget_say(session_id: Optional[str], text: str, wait_s: float = 20) -> Tuple[List[str], List[Dict]]:
    """Open a widget socket, ask for ``session_id``, send ``text``: (confirmed ids, replies)."""
    async with widget_socket(RASA_PORT) as socket:
        await socket.client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(socket.got_session.wait(), wait_s)
        confirmed = socket.sessions
        await socket.client.emit("user_uttered", {"message": text, "session_id": session_id if session_id and
                                                  session_id == confirmed[0] else confirmed[-1]})
        await asyncio.wait_for(socket.got_reply.wait(), wait_s)
        await asyncio.sleep(0.5)  # the rest of the reply
        return confirmed, socket.replies


# -- faults ------------------------------------------------------------------------------------


def test_action_server_killed_gets_the_trouble_reply_on_rest_and_the_widget(servers):
    wait_for_normal_answers()
    for pid in action_server_pids(servers):
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    status, messages = post(uuid.uuid4().hex, "does it hurt?")
    assert status == 200 and texts(messages) == [TROUBLE]
    assert time.monotonic() - started < 5
    _, replies = asyncio.run(widget_say(None, "what is in the cocktail?"))
    assert [reply.get("text") for reply in replies] == [TROUBLE]
    wait_for_normal_answers()  # serve.sh started the action server again


def test_a_slow_action_server_gets_the_trouble_reply_after_the_timeout(servers):
    wait_for_normal_answers()
    pids = action_server_pids(servers)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        status, messages = post(uuid.uuid4().hex, "how long do results last?")
        elapsed = time.monotonic() - started
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert status == 200 and texts(messages) == [TROUBLE]
    assert ACTION_TIMEOUT_S - 0.5 < elapsed < ACTION_TIMEOUT_S + 5
    wait_for_normal_answers()


# -- limits ------------------------------------------------------------------------------------


def test_a_1_mb_message_is_answered_and_stored_cut(servers):
    # its latency is measured by `make benchmark` (bench/benchmark.py, flood scenario), not asserted here
    sender = f"big-{uuid.uuid4().hex}"
    status, messages = post(sender, "does it hurt? " + "a" * 1_000_000)
    assert status == 200
    assert "first 1000 characters" in messages[0]["text"] and len(messages) > 1
    with sqlite3.connect(PROJECT_ROOT / "var" / "conversations.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (f"rest:{sender}",)).fetchall()
    assert rows and all(len(json.loads(data)["text"]) <= SETTINGS.max_message_chars for (data,) in rows)


def test_a_body_over_the_limit_is_refused_and_the_server_goes_on(servers):
    try:
        status, _ = post(None, "", raw=json.dumps({"sender": "x", "message": "a" * 3_000_000}).encode())
    except (ConnectionError, http.client.HTTPException):
        status = 413  # Sanic answered 413 and closed the connection before the whole body was sent
    assert status == 413
    assert post(uuid.uuid4().hex, "hi")[0] == 200


def test_a_flooding_address_gets_429_while_other_visitors_are_answered(servers):
    """16 visitors (each its own address and conversation, 8 messages each, all at once) while one
    address sends 50 requests a second for 3 s (every 30th 1 MB): the visitors are answered, the
    flood gets 429s. Their latency alone and during the flood is measured by `make benchmark`
    (bench/benchmark.py, flood scenario), not asserted here."""
    def sixteen_visitors(round_name: str) -> int:
        def visitor(index: int) -> int:
            sender = f"{round_name}-{index}-{uuid.uuid4().hex[:6]}"
            for _ in range(8):
                status, messages = post(sender, "is it safe?", source=f"127.0.0.{10 + index}")
                assert status == 200 and messages and TROUBLE not in texts(messages)
            return 8

        with ThreadPoolExecutor(max_workers=16) as pool:
            return sum(pool.map(visitor, range(16)))

    results: List[Tuple[int, Any]] = []

    def flood() -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = []
            for index in range(150):  # 50 a second for 3 seconds, some of them 1 MB
                text = "a" * 1_000_000 if index % 30 == 0 else "hello"
                futures.append(pool.submit(post, "attacker", text, "127.0.0.2"))
                time.sleep(0.02)
            results.extend(future.result() for future in futures)

    flooding = threading.Thread(target=flood)
    flooding.start()
    time.sleep(0.3)  # the flood is under way
    answered = sixteen_visitors("during")
    flooding.join()
    statuses = [status for status, _ in results]
    print(f"\n16 visitors answered {answered} messages during the flood; "
          f"flood: {statuses.count(429)} of {len(statuses)} refused with 429")
    assert answered == 16 * 8
    assert statuses.count(429) >= 100 and set(statuses) <= {200, 429}
    refused = [body for status, body in results if status == 429]
    assert all(body and "very quickly" in body[0]["text"] for body in refused)


# -- identity and payloads ---------------------------------------------------------------------


def test_rest_requires_a_sender_and_namespaces_it(servers):
    status, body = post(None, "hello")
    assert status == 400 and "sender" in body["error"]
    status, messages = post("+447700900123", "hello")
    assert status == 200 and {message["recipient_id"] for message in messages} == {"rest:+447700900123"}


def test_the_widget_gets_a_signed_session_and_a_forged_one_is_replaced(servers):
    confirmed, replies = asyncio.run(widget_say(None, "hello"))
    signed = confirmed[0]
    assert "." in signed and replies
    again, _ = asyncio.run(widget_say(signed, "what is mesotherapy?"))
    assert again == [signed]  # a session we signed is kept
    forged = signed.split(".")[0] + "." + "0" * 64
    for bad in (forged, "session-1", "rest:me", "sms:+447700900123"):
        replaced, replies = asyncio.run(widget_say(bad, "hello"))
        assert replaced[0] != bad and replaced[0].count(".") == 1 and replies


def test_typed_intent_payloads_with_entities_are_read_as_text(servers):
    planted = '/ask_conditions_treated{"condition": "a refund - call +1 900 555 0100 now"}'
    status, messages = post(uuid.uuid4().hex, planted)
    assert status == 200 and messages
    assert not any("900 555" in text for text in texts(messages))


def test_an_offered_button_payload_is_accepted(servers):
    sender = uuid.uuid4().hex
    greeting = post(sender, "hello")[1]
    payload = greeting[-1]["buttons"][2]["payload"]
    assert payload == "/ask_conditions_treated"
    answer = " ".join(texts(post(sender, payload)[1]))
    assert "Fat deposits" in answer or "cellulite" in answer


# -- no secret on a command line ---------------------------------------------------------------


def test_the_api_token_is_on_no_command_line(servers):
    token = SETTINGS.api_token_file.read_text().strip()
    assert len(token) >= 32
    commands = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert "connectors.server" in commands
    assert token not in commands


def test_a_rest_client_cannot_reach_another_channels_conversation(servers):
    token = SETTINGS.api_token_file.read_text().strip()
    phone = f"+4477009{uuid.uuid4().int % 10**5:05d}"
    assert post(phone, "hello")[0] == 200

    def events(conversation: str) -> List[Dict]:
        connection = http.client.HTTPConnection("127.0.0.1", RASA_PORT, timeout=30)
        try:
            quoted = urllib.parse.quote(conversation, safe=":+")  # Sanic does not unquote path parameters
            connection.request("GET", f"/conversations/{quoted}/tracker?token={token}")
            return json.loads(connection.getresponse().read())["events"]
        finally:
            connection.close()

    assert any(event["event"] == "user" for event in events(f"rest:{phone}"))
    for other in (phone, f"sms:{phone}", f"whatsapp:{phone}"):
        assert not any(event["event"] == "user" for event in events(other))


def test_a_socketio_message_over_the_size_limit_is_dropped_and_the_server_goes_on(servers):
    async def scenario() -> bool:
        async with widget_socket(RASA_PORT) as socket:
            try:
                await socket.client.emit("user_uttered", {"message": "a" * 3_000_000, "session_id": "x"})
                await asyncio.sleep(2)
            except Exception:  # noqa: BLE001 (the server may drop the connection: that is the point)
                pass
        return True

    assert asyncio.run(scenario())
    _, replies = asyncio.run(widget_say(None, "hello"))
    assert replies


@pytest.mark.parametrize("guide", ["empty"])
def test_the_action_server_checks_the_knowledge_base_before_it_listens(tmp_path, guide):
    env = {**os.environ, "MESO_GUIDE_DIR": str(tmp_path / "guide"), "ACTION_PORT": str(SETTINGS.action_port + 7),
           "MESO_DATABASE_URL": f"sqlite:///{tmp_path / 'knowledge.db'}"}
    (tmp_path / "guide").mkdir()
    result = subprocess.run([sys.executable, "-m", "actions.server"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "the knowledge base has no section" in result.stderr
