"""What the channels store, on PostgreSQL: the real servers with conversations in a fresh PostgreSQL
database (ports RASA_PORT+10 / ACTION_PORT+10): a 1 MB message is stored cut to
MESO_MAX_MESSAGE_CHARS, in a conversation namespaced by channel."""
from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.maintain.servers import serving
from bot.maintain.endpoints import write_endpoints
from bot.settings import PROJECT_ROOT, load_settings
from tests.support import postgres_database

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
BASE = load_settings()
RASA_PORT, ACTION_PORT = BASE.rasa_port + 10, BASE.action_port + 10

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"), reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    for url in postgres_database():
        env = {**os.environ, "RASA_PORT": str(RASA_PORT), "ACTION_PORT": str(ACTION_PORT),
               "CREDENTIALS": "credentials.yml"}
        env.pop("RASA_AUTH_TOKEN", None)
        env["ENDPOINTS"] = str(write_endpoints(tmp_path_factory.mktemp("pg") / "endpoints.yml", load_settings(env), url))
        with serving(env):
            yield url


def _say(sender: str, message: str):
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def test_a_1_mb_message_is_stored_cut_and_namespaced_on_postgresql(store):
    sender = f"+4477009{uuid.uuid4().int % 10**5:05d}"
    started = time.monotonic()
    messages = _say(sender, "is it safe? " + "b" * 1_000_000)
    assert time.monotonic() - started < 3 and "first 1000 characters" in messages[0]["text"]
    engine = create_engine(store)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sender_id, data FROM events WHERE type_name = 'user'")).fetchall()
    finally:
        engine.dispose()
    assert {sender_id for sender_id, _ in rows} == {f"rest:{sender}"}
    assert all(len(json.loads(data)["text"]) <= BASE.max_message_chars for _, data in rows)
