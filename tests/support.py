"""What tests/conftest.py and the test modules share: the shipped guide and vocabulary, a fresh
PostgreSQL database, Redis keys of a test's own, and a visitor's turn over the REST channel."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterator, List

import pytest
import redis
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT, load_settings

GUIDE_DIR = PROJECT_ROOT / "data" / "guide"
GUIDE_TEXT = (GUIDE_DIR / "mesotherapy-guide.txt").read_text(encoding="utf-8")
VOCABULARY_PATH = PROJECT_ROOT / "data" / "vocabulary.yml"
POSTGRES_ADMIN_URL = load_settings().test_postgres_admin_url
REDIS_HOST = os.environ.get("MESO_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("MESO_TEST_REDIS_PORT", "6379"))


def rest_reply_texts(port: int, sender: str, text: str, timeout: float = 120) -> List[str]:
    """Send ``text`` as ``sender`` to the REST channel on loopback ``port``: the reply's texts."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        json.dumps({"sender": sender, "message": text}).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return [message.get("text", "") for message in json.loads(answer.read())]


def redis_key_prefix(purpose: str) -> Iterator[str]:
    """A key prefix of the test's own on the local Redis (alphanumeric); its keys are removed afterwards."""
    name = f"{purpose}{uuid.uuid4().hex[:10]}"
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not running on {REDIS_HOST}:{REDIS_PORT}")
    yield name
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def postgres_database() -> Iterator[str]:
    """Create a fresh database on the local PostgreSQL server, drop it afterwards."""
    name = f"meso_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@dataclass
class WidgetSocket:
    """A website widget's socket.io connection: the session ids confirmed and the replies received."""

    client: socketio.AsyncClient
    sessions: List[Any] = field(default_factory=list)
    replies: List[Any] = field(default_factory=list)
    got_session: asyncio.Event = field(default_factory=asyncio.Event)
    got_reply: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.asynccontextmanager
async def widget_socket(port: int, wait_timeout: float = 30) -> AsyncIterator[WidgetSocket]:
    """Connect to the Rasa server's socket.io channel on loopback ``port`` as the widget does."""
    socket = WidgetSocket(socketio.AsyncClient(reconnection=False))

    @socket.client.on("session_confirm")
    async def on_session(data: Any) -> None:
        socket.sessions.append(data)
        socket.got_session.set()

    @socket.client.on("bot_uttered")
    async def on_reply(data: Any) -> None:
        socket.replies.append(data)
        socket.got_reply.set()

    origin = f"http://127.0.0.1:{port}"
    await socket.client.connect(origin, headers={"Origin": origin}, transports=["polling"],
                                socketio_path="/socket.io", wait_timeout=wait_timeout)
    try:
        yield socket
    finally:
        await socket.client.eio.disconnect(abort=True)
