"""The shared secret between the Rasa server and the action server, against the real servers.

The action server (``python -m actions.server``) and the Rasa server (``python -m
connectors.server``) are started apart here, so that the action server can be started again with
another secret while the Rasa server goes on: with the same ``ACTION_SERVER_SECRET`` the visitor
is answered; a call without it, or with another one, gets a 403, and the visitor whose message
needed the action server gets the short trouble reply rather than silence. An action server bound
off loopback without a secret does not start.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from bot.clinic.profile import trouble_message
from bot.maintain.endpoints import write_endpoints
from bot.maintain.servers import Servers, launch_commands
from bot.settings import ACTION_SECRET_HEADER, PROJECT_ROOT, load_clinic, load_settings
from tests.support import rest_reply_texts

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
RASA_PORT, ACTION_PORT, SPARE_PORT = 5860, 5861, 5862
SECRET, OTHER_SECRET = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
TROUBLE = trouble_message(load_clinic())

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        not MODEL.exists() and not os.environ.get("CI"), reason="no trained model: run `make train` first"
    ),
]


def environment(**overrides: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("ACTION_SERVER_SECRET", "ACTION_INTERFACE")}
    env.update({"RASA_PORT": str(RASA_PORT), "ACTION_PORT": str(ACTION_PORT), **overrides})
    return env


def wait_until_up(url: str, servers: Servers, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert servers.alive(), f"a server stopped before {url} answered"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def start_action_server(secret: str, log: Path) -> Servers:
    servers = launch_commands(
        [[sys.executable, "-m", "actions.server"]], PROJECT_ROOT, environment(ACTION_SERVER_SECRET=secret), [log]
    )
    wait_until_up(f"http://127.0.0.1:{ACTION_PORT}/health", servers)
    return servers


class Running:
    """The Rasa server (secret ``SECRET``) and the action server of the moment."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.actions = start_action_server(SECRET, folder / "actions.log")
        endpoints = write_endpoints(
            folder / "endpoints.yml", load_settings(environment()), f"sqlite:///{folder / 'conversations.db'}"
        )
        command = [
            sys.executable,
            "-m",
            "connectors.server",
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--interface",
            "127.0.0.1",
            "--port",
            str(RASA_PORT),
        ]
        env = environment(ACTION_SERVER_SECRET=SECRET, RASA_AUTH_TOKEN=secrets.token_hex(16))
        self.rasa = launch_commands([command], PROJECT_ROOT, env, [folder / "rasa.log"])
        wait_until_up(f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/", self.rasa)

    def restart_action_server(self, secret: str) -> None:
        self.actions.stop()
        self.actions = start_action_server(secret, self.folder / f"actions-{len(secret)}-{time.time_ns()}.log")

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    servers = Running(tmp_path_factory.mktemp("action-auth"))
    try:
        yield servers
    finally:
        servers.stop()


def say(text: str) -> List[str]:
    """The texts of the assistant's reply on the REST channel (loopback: open)."""
    return rest_reply_texts(RASA_PORT, uuid.uuid4().hex, text)


def call_action_server(method: str, path: str, secret: Optional[str], body: Any = None) -> Tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({ACTION_SECRET_HEADER: secret} if secret is not None else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{ACTION_PORT}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


ACTION_CALL = {
    "next_action": "action_answer",
    "sender_id": "rest:probe",
    "version": "3.6.21",
    "domain": {},
    "tracker": {
        "sender_id": "rest:probe",
        "slots": {},
        "latest_message": {"text": "hi", "intent": {}, "entities": []},
        "events": [],
        "latest_action_name": "action_listen",
        "active_loop": {},
        "paused": False,
        "followup_action": None,
    },
}


def test_with_the_shared_secret_the_visitor_is_answered(running: Running) -> None:
    reply = say("what is mesotherapy?")
    assert reply and TROUBLE not in reply
    assert "mesotherapy" in " ".join(reply).lower()


@pytest.mark.parametrize("secret", [None, "", "not-the-secret"])
def test_the_action_server_refuses_a_call_without_the_secret(running: Running, secret: Optional[str]) -> None:
    status, error = call_action_server("POST", "/webhook", secret, ACTION_CALL)
    assert status == 403 and ACTION_SECRET_HEADER in error["error"]
    assert call_action_server("GET", "/actions", secret)[0] == 403


def test_the_health_check_is_open_and_the_secret_opens_the_rest(running: Running) -> None:
    assert call_action_server("GET", "/health", None) == (200, {"status": "ok"})
    status, actions = call_action_server("GET", "/actions", SECRET)
    assert status == 200 and {"name": "action_answer"} in actions


def test_an_action_server_with_another_secret_gives_the_visitor_the_trouble_reply(running: Running) -> None:
    running.restart_action_server(OTHER_SECRET)
    try:
        assert say("does it hurt?") == [TROUBLE]
    finally:
        running.restart_action_server(SECRET)
    assert TROUBLE not in say("does it hurt?")


def test_off_loopback_the_action_server_does_not_start_without_a_secret() -> None:
    env = environment(ACTION_INTERFACE="0.0.0.0", ACTION_PORT=str(SPARE_PORT))
    finished = subprocess.run(
        [sys.executable, "-m", "actions.server"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 2
    assert "not loopback, without authentication: set ACTION_SERVER_SECRET" in finished.stderr
