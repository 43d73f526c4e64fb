"""The clinic webhook hardened (SQLite and PostgreSQL, a real local HTTP server): a 3xx is a
failure, the body is signed, http:// only on loopback, every error caught, pending requests retried
by the action server's background task; and an action server answering 500 gets the trouble reply."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List

import pytest

from bot.clinic import handoff
from bot.clinic.contact_form import Contact
from bot.clinic.handoff import HandoffRequest, RetryPolicy

FAST = RetryPolicy(attempts=2, timeout=2.0, backoff=0.01)
SECRET = "webhook-secret-for-tests"


class Clinic:
    """A local webhook answering ``status`` (and ``Location`` for a 3xx); records what it got."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.received: List[Dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.received.append({"method": self.command, "body": self.rfile.read(length),
                                       "signature": self.headers.get(handoff.SIGNATURE_HEADER)})
                self.send_response(outer.status)
                if 300 <= outer.status < 400:
                    self.send_header("Location", "/elsewhere")
                self.end_headers()

            do_POST = do_GET = _answer  # noqa: N815 (http.server's naming)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/handoff"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def clinic() -> Iterator[Clinic]:
    server = Clinic()
    yield server
    server.stop()


def _store(sessions) -> HandoffRequest:
    return handoff.store_request(sessions, "rest:visitor", "request_human", "Anna Smith",
                                 Contact("+442079460000", "phone"))


def _row(sessions, request_id: int) -> HandoffRequest:
    with sessions() as session:
        return session.get(HandoffRequest, request_id)


def test_the_body_is_signed_with_the_secret(sessions, clinic) -> None:
    stored = _store(sessions)
    assert handoff.notify(sessions, stored.id, clinic.url, FAST, secret=SECRET)
    [got] = clinic.received
    expected = "sha256=" + hmac.new(SECRET.encode(), got["body"], hashlib.sha256).hexdigest()
    assert got["signature"] == expected and json.loads(got["body"])["id"] == stored.id


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failure_and_is_not_followed(sessions, status) -> None:
    server = Clinic(status)
    try:
        stored = _store(sessions)
        assert not handoff.notify(sessions, stored.id, server.url, FAST, secret=SECRET)
        assert [got["method"] for got in server.received] == ["POST", "POST"]  # never a GET to /elsewhere
    finally:
        server.stop()
    row = _row(sessions, stored.id)
    assert (row.status, row.attempts) == ("pending", 2) and str(status) in row.last_error


@pytest.mark.parametrize("url", ["http://clinic.example/handoff", "ftp://127.0.0.1/x", "not a url",
                                 "http://10.0.0.5/handoff"])
def test_plain_http_is_refused_except_on_loopback(sessions, url) -> None:
    stored = _store(sessions)
    assert not handoff.notify(sessions, stored.id, url, FAST, secret=SECRET)
    row = _row(sessions, stored.id)
    assert (row.status, row.attempts) == ("pending", 0) and "https" in row.last_error
    assert handoff.webhook_url_problem("https://clinic.example/handoff") is None
    assert handoff.webhook_url_problem("http://localhost:8080/h") is None
    assert handoff.webhook_url_problem("http://[::1]:8080/h") is None


def test_any_error_of_an_attempt_is_caught_and_the_request_stays_pending(sessions, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(handoff, "request_json", broken)
    stored = _store(sessions)
    assert not handoff.notify(sessions, stored.id, "https://clinic.example/handoff", FAST, secret=SECRET)
    row = _row(sessions, stored.id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 2, "something unexpected")


def test_the_backoff_doubles_up_to_an_hour() -> None:
    assert [handoff.retry_delay(30, rounds) for rounds in (0, 1, 2, 3)] == [30, 60, 120, 240]
    assert handoff.retry_delay(30, 100) == handoff.MAX_RETRY_DELAY_S


@pytest.mark.slow  # waits for several retry rounds
def test_the_action_servers_background_task_delivers_pending_requests(database_url, sessions, monkeypatch) -> None:
    from actions import handoff as handoff_actions
    from actions.server import retry_pending_handoffs

    down = Clinic()
    url = down.url
    down.stop()  # the clinic is down when the request is made
    stored = _store(sessions)
    assert not handoff.notify(sessions, stored.id, url, FAST, secret=SECRET)
    monkeypatch.setenv("MESO_DATABASE_URL", database_url)
    monkeypatch.setenv("CLINIC_WEBHOOK_URL", url)
    monkeypatch.setenv("CLINIC_WEBHOOK_SECRET", SECRET)
    handoff_actions.handoff_store.cache_clear()
    port = int(url.split(":")[2].split("/")[0])

    async def scenario() -> None:
        task = asyncio.create_task(retry_pending_handoffs(interval=0.2))
        await asyncio.sleep(1.0)  # a few rounds fail: still pending, never lost
        assert [row.id for row in handoff.pending_requests(sessions)] == [stored.id]
        server = ThreadingHTTPServer(("127.0.0.1", port), _Accepting)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            for _ in range(100):
                await asyncio.sleep(0.2)
                if not handoff.pending_requests(sessions):
                    break
        finally:
            task.cancel()
            server.shutdown()
            server.server_close()

    try:
        asyncio.run(scenario())
    finally:
        handoff_actions.handoff_store.cache_clear()
    row = _row(sessions, stored.id)
    assert row.status == "sent" and row.attempts >= 3 and row.last_error is None


class _Accepting(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_action_server_answering_500_gets_the_trouble_reply(monkeypatch) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    import connectors  # noqa: F401 (installs the fault handling)
    from bot.clinic.profile import trouble_message
    from bot.settings import load_clinic

    failing = Clinic(500)
    try:
        action = RemoteAction("action_answer", EndpointConfig(url=failing.url))
        tracker = DialogueStateTracker.from_events("rest:x", [])
        events = asyncio.run(action.run(None, None, tracker, Domain.empty()))
    finally:
        failing.stop()
    assert len(failing.received) == 1
    assert [event.text for event in events if isinstance(event, BotUttered)] == [trouble_message(load_clinic())]
    tracker.update(events[0])
    assert asyncio.run(RemoteAction("action_answer", EndpointConfig(url="http://127.0.0.1:9/x")).run(
        None, None, tracker, Domain.empty())) == []  # said once per visitor message
