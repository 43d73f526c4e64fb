"""The pieces written once: the HTTP-JSON helper, the endpoints writer, the channels' common code."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from rasa.shared.exceptions import RasaException

from bot.answering.replies import BLANK_MESSAGE_STAND_IN
from bot.http_json import HttpJsonError, request_json
from bot.maintain.endpoints import write_endpoints
from bot.maintain.review.tracker_store import tracker_store_url
from bot.settings import load_settings
from connectors.common import checked_credentials, stand_in_for_blank
from connectors.twilio import TwilioChannel

# path -> (status, body) the stand-in server answers with
ANSWERS = {"/json": (200, b'{"ok": true}'), "/empty": (204, b""), "/text": (200, b"Accepted"),
           "/broken": (500, b"it broke")}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            status, body = ANSWERS[self.path]
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_request_json_answers_status_and_json(server: str) -> None:
    assert request_json("POST", f"{server}/json", {"a": 1}).json() == {"ok": True}
    assert request_json("POST", f"{server}/empty", {}).json([]) == []
    answer = request_json("POST", f"{server}/text", {})
    assert answer.status == 200
    with pytest.raises(HttpJsonError, match="not JSON"):
        answer.json()


def test_request_json_fails_clearly_on_an_error_status_or_no_answer(server: str) -> None:
    with pytest.raises(HttpJsonError) as error:
        request_json("POST", f"{server}/broken", {})
    assert (error.value.status, error.value.detail) == (500, "it broke")
    with pytest.raises(HttpJsonError) as error:
        request_json("GET", "http://127.0.0.1:9/nothing", timeout=2)
    assert error.value.status is None and isinstance(error.value, OSError)


def test_endpoints_files_name_the_settings_action_server_and_the_store(tmp_path: Path) -> None:
    settings = load_settings({"ACTION_PORT": "5155"})
    database = tmp_path / "conversations.db"
    endpoints = write_endpoints(tmp_path / "endpoints.yml", settings, f"sqlite:///{database}",
                                "redis://:secret@127.0.0.1:6379/1")
    content = endpoints.read_text(encoding="utf-8")
    assert "url: http://127.0.0.1:5155/webhook" in content and "type: connectors.lock_store.AtomicRedisLockStore" in content
    assert tracker_store_url(endpoints, tmp_path) == f"sqlite:///{database}"
    postgres = "postgresql+psycopg2://bot:pw@db.internal:5433/rasa"
    assert tracker_store_url(write_endpoints(tmp_path / "pg.yml", settings, postgres), tmp_path) == postgres


def test_channels_share_the_credentials_check_and_blank_handling() -> None:
    with pytest.raises(RasaException, match=r"auth_token \(TWILIO_AUTH_TOKEN\)"):
        TwilioChannel.from_credentials({"account_sid": "AC1", "twilio_number": "+15005550006"})
    with pytest.raises(RasaException, match="--credentials"):
        checked_credentials(TwilioChannel, None)
    assert [stand_in_for_blank(text) for text in (None, "", "  ", "hi")] == [BLANK_MESSAGE_STAND_IN] * 3 + ["hi"]
    complete = {"account_sid": "AC1", "auth_token": "t", "twilio_number": "+15005550006"}
    assert checked_credentials(TwilioChannel, complete) is complete
