"""PostgreSQL down while visitors talk: the real servers (scripts/serve.sh, ports 5920 / 5921) with
the knowledge base and handoff requests in a fresh PostgreSQL database reached through a TCP proxy
(port 5922) that can stop answering: open connections dropped, new ones accepted and never
answered, as a hung database server does.

A visitor whose question needs the database gets the short "I'm having trouble" reply, not
silence; another visitor whose message needs no database is answered at the same time (the
database work runs in worker threads, not on the action server's event loop); once the database
answers again, so does the assistant (connections give up after the connect timeout of bot/db.py).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.clinic.profile import trouble_message
from bot.maintain.endpoints import write_endpoints
from bot.maintain.servers import serving
from bot.settings import PROJECT_ROOT, load_clinic, load_settings
from tests.support import POSTGRES_ADMIN_URL, postgres_database, rest_reply_texts

RASA_PORT, ACTION_PORT, PROXY_PORT = 5920, 5921, 5922
MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
TROUBLE = trouble_message(load_clinic())
ACTION_TIMEOUT_S = 3.0  # shorter than the connect timeout: a visitor held behind a hung connect would see it

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make train` first"),
]


class HangingProxy:
    """Forwards 127.0.0.1:``port`` to PostgreSQL until :meth:`hang`; then drops the open
    connections and accepts new ones without ever answering, until :meth:`answer`."""

    def __init__(self, port: int, target: Tuple[str, int]) -> None:
        self.target = target
        self.database_url = ""  # the database behind the proxy, when a test needs to read it
        self.listener = socket.create_server(("127.0.0.1", port))
        self.hung = threading.Event()
        self.sockets: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.hung.is_set():
                continue  # accepted, never answered
            upstream = socket.create_connection(self.target)
            self.sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def hang(self) -> None:
        self.hung.set()
        sockets, self.sockets = self.sockets, []
        for open_socket in sockets:
            try:
                open_socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            open_socket.close()

    def answer(self) -> None:
        self.hung.clear()

    def close(self) -> None:
        self.listener.close()
        self.hang()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HangingProxy]:
    admin = make_url(POSTGRES_ADMIN_URL)
    proxy = HangingProxy(PROXY_PORT, (admin.host or "127.0.0.1", admin.port or 5432))
    work = tmp_path_factory.mktemp("database-down")
    for database_url in postgres_database():
        through_proxy = make_url(database_url).set(host="127.0.0.1", port=PROXY_PORT)
        env = {
            **os.environ,
            "RASA_PORT": str(RASA_PORT),
            "ACTION_PORT": str(ACTION_PORT),
            "MESO_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
            "ACTION_TIMEOUT": str(ACTION_TIMEOUT_S),
        }
        env["ENDPOINTS"] = str(
            write_endpoints(work / "endpoints.yml", load_settings(env), f"sqlite:///{work / 'conversations.db'}")
        )
        try:
            with serving(env):
                yield proxy
        finally:
            proxy.close()


def say(sender: str, text: str) -> List[str]:
    return rest_reply_texts(RASA_PORT, sender, text, timeout=120)


def answered_from_the_guide(sender: str) -> bool:
    texts = say(sender, "what is mesotherapy?")
    return bool(texts) and TROUBLE not in texts


def test_database_down_gets_the_trouble_reply_and_other_visitors_are_answered(proxy: HangingProxy) -> None:
    assert answered_from_the_guide("before")
    greeting = say("greeted-before", "hello")
    assert greeting and TROUBLE not in greeting
    proxy.hang()
    with ThreadPoolExecutor(max_workers=4) as pool:
        asking = [pool.submit(say, f"asking-{number}", "what is mesotherapy?") for number in range(3)]
        time.sleep(1.0)  # their actions are now waiting for the database
        greeted = say("greeted-during", "hello")
        asked = [future.result() for future in asking]
    assert all(texts == [TROUBLE] for texts in asked), asked
    assert greeted == greeting  # the same greeting as before: not held behind the database
    proxy.answer()
    deadline = time.monotonic() + 120
    while not answered_from_the_guide("after") and time.monotonic() < deadline:
        time.sleep(1)
    assert answered_from_the_guide("after-again")


TRACKER_RASA_PORT, TRACKER_ACTION_PORT, TRACKER_PROXY_PORT = 5924, 5925, 5923


@pytest.fixture(scope="module")
def tracker_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HangingProxy]:
    """The servers with the conversations (the tracker store) in PostgreSQL behind a hanging proxy."""
    admin = make_url(POSTGRES_ADMIN_URL)
    proxy = HangingProxy(TRACKER_PROXY_PORT, (admin.host or "127.0.0.1", admin.port or 5432))
    work = tmp_path_factory.mktemp("tracker-down")
    for database_url in postgres_database():
        env = {
            **os.environ,
            "RASA_PORT": str(TRACKER_RASA_PORT),
            "ACTION_PORT": str(TRACKER_ACTION_PORT),
            "MESO_VAR_DIR": str(work),
            "ACTION_TIMEOUT": str(ACTION_TIMEOUT_S),
        }
        env.pop("MESO_DATABASE_URL", None)
        through_proxy = make_url(database_url).set(host="127.0.0.1", port=TRACKER_PROXY_PORT)
        conversations = through_proxy.render_as_string(hide_password=False)
        env["ENDPOINTS"] = str(write_endpoints(work / "endpoints.yml", load_settings(env), conversations))
        proxy.database_url = database_url
        try:
            with serving(env):
                yield proxy
        finally:
            proxy.close()


def test_conversations_database_down_still_answers_and_stores_again_once_it_is_back(
    tracker_proxy: HangingProxy,
) -> None:
    """Rasa's fail-safe tracker store answers from a fresh conversation held in memory while the
    conversations' database is down (a reply, never silence; nothing of it is stored), and the
    conversations are stored again once the database answers."""

    def ask(sender: str) -> List[str]:
        return rest_reply_texts(TRACKER_RASA_PORT, sender, "what is mesotherapy?", timeout=120)

    before = ask("tracker-before")
    assert before and TROUBLE not in before
    tracker_proxy.hang()
    for sender in ("tracker-during", "tracker-before"):  # a new conversation and a known one
        during = ask(sender)
        assert during and all(text.strip() for text in during), during
    tracker_proxy.answer()
    deadline = time.monotonic() + 120
    while not _stored_senders(tracker_proxy.database_url) >= {"tracker-after"} and time.monotonic() < deadline:
        ask("tracker-after")
        time.sleep(1)
    assert "tracker-after" in _stored_senders(tracker_proxy.database_url)


def _stored_senders(database_url: str) -> set:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                f"{sender}".split(":", 1)[-1]
                for sender in connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars()
            }
    finally:
        engine.dispose()
