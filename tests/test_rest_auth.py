"""The REST channel off loopback: a token, or off. Real servers (scripts/serve.sh) listening on
every interface (``RASA_INTERFACE=0.0.0.0``), reached on a non-loopback address of this machine.

With a token (here from a 0600 file, ``MESO_REST_TOKEN_FILE``) a request without it, or with
another one, gets a 401 with a JSON error and is not answered; with it the visitor is answered.
Without a token the channel is off (403, and serve.sh says so at startup). On loopback the
channel stays open: the other server tests use it without a token.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from bot.maintain.servers import ServeScript, serving
from bot.settings import PROJECT_ROOT, load_settings

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
RASA_PORT, ACTION_PORT = 5850, 5851
TOKEN = secrets.token_urlsafe(32)

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        not MODEL.exists() and not os.environ.get("CI"), reason="no trained model: run `make train` first"
    ),
]


def outward_address() -> str:
    """An address of this machine that is not loopback (the one it would use to reach the internet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


def environment(tmp_path: Path, token_file: Optional[Path]) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MESO_REST_TOKEN")}
    env.update(
        {
            "RASA_PORT": str(RASA_PORT),
            "ACTION_PORT": str(ACTION_PORT),
            "RASA_INTERFACE": "0.0.0.0",
            "MESO_REST_TOKEN_FILE": str(token_file or tmp_path / "no-token"),
        }
    )
    return env


@pytest.fixture(scope="module")
def with_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeScript]:
    folder = tmp_path_factory.mktemp("rest-token")
    token_file = folder / "rest-token"
    token_file.touch(mode=0o600)
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    with serving(environment(folder, token_file)) as servers:
        yield servers


def post(address: str, body: Any, token: Optional[str] = None) -> Tuple[int, Any]:
    """POST ``body`` to the REST channel at ``address``; (status, decoded JSON)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(
        f"http://{address}:{RASA_PORT}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def conversation(servers: ServeScript, sender: str) -> Dict[str, Any]:
    """The stored conversation ``rest:<sender>``, read through the HTTP API (its own token)."""
    api_token = load_settings(servers.env).current_api_token()
    url = f"http://127.0.0.1:{RASA_PORT}/conversations/rest:{sender}/tracker?token={api_token}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_off_loopback_a_request_without_the_token_gets_401_and_no_answer(with_token, token) -> None:
    sender = uuid.uuid4().hex
    status, error = post(outward_address(), {"sender": sender, "message": "does it hurt?"}, token)
    assert status == 401
    assert "Authorization: Bearer" in error["error"]
    assert not [event for event in conversation(with_token, sender)["events"] if event["event"] == "user"]


def test_off_loopback_the_token_gets_the_answer(with_token) -> None:
    status, messages = post(outward_address(), {"sender": uuid.uuid4().hex, "message": "what is mesotherapy?"}, TOKEN)
    assert status == 200
    assert messages and "mesotherapy" in " ".join(message.get("text", "") for message in messages).lower()


def test_the_token_is_required_on_loopback_too_when_the_server_listens_everywhere(with_token) -> None:
    assert post("127.0.0.1", {"sender": uuid.uuid4().hex, "message": "hi"})[0] == 401
    assert post("127.0.0.1", {"sender": uuid.uuid4().hex, "message": "hi"}, TOKEN)[0] == 200


def test_startup_says_the_token_is_required(with_token) -> None:
    assert any(line.startswith("REST channel on 0.0.0.0 (not loopback): requests need") for line in with_token.output)


def test_without_a_token_rest_is_off_and_startup_says_so(with_token, tmp_path: Path) -> None:
    with_token.stop()  # one set of servers at a time
    with serving(environment(tmp_path, None)) as servers:
        status, error = post(outward_address(), {"sender": uuid.uuid4().hex, "message": "hi"}, TOKEN)
        output = "".join(servers.output)
    assert status == 403 and error["error"].startswith("REST channel OFF")
    assert "REST channel OFF: the Rasa server is reached on 0.0.0.0 (not loopback) and no REST token is set" in output
