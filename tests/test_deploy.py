"""Deploying a model to the running servers: no request fails, conversations go on, the token is required."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from bot.maintain.servers import serving
from bot.maintain.endpoints import write_endpoints
from bot.maintain.evaluation.report import SUMMARY_FILE, sha256
from bot.settings import PROJECT_ROOT, load_settings

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
RASA_PORT, ACTION_PORT = 5705, 5755
BASE = f"http://127.0.0.1:{RASA_PORT}"
TOKEN = "-deploy-" + uuid.uuid4().hex  # a leading "-" once broke `rasa run --auth-token`

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"),
                       reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("deploy")
    env = {**os.environ, "RASA_PORT": str(RASA_PORT), "ACTION_PORT": str(ACTION_PORT), "RASA_AUTH_TOKEN": TOKEN}
    env["ENDPOINTS"] = str(write_endpoints(folder / "endpoints.yml", load_settings(env),
                                           f"sqlite:///{folder / 'conversations.db'}"))
    with serving(env):
        yield folder


def _say(sender: str, text: str) -> Tuple[int, List[Dict]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{BASE}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, []


def _status(token: str = TOKEN) -> Dict:
    with urllib.request.urlopen(f"{BASE}/status?token={token}", timeout=30) as response:
        return json.loads(response.read())


def _deploy(model: Path, folder: Path, token: str, reports: str = "no-report") -> subprocess.CompletedProcess:
    env = {**os.environ, "RASA_AUTH_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "bot", "deploy-model", "--model", str(model), "--url", BASE,
         "--live-dir", str(folder / "live"), "--reports", str(folder / reports)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_api_requires_the_token(servers: Path) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        _status(token="wrong")
    assert error.value.code == 401
    assert Path(_status()["model_file"]).name == "mesotherapy.tar.gz"


def test_a_wrong_token_deploys_nothing(servers: Path) -> None:
    result = _deploy(MODEL, servers, token="wrong")
    assert result.returncode == 1 and "401" in result.stderr
    assert Path(_status()["model_file"]).name == "mesotherapy.tar.gz"
    assert not (servers / "live" / "current.json").exists()


def test_deploy_switches_the_model_while_visitors_keep_getting_answers(servers: Path) -> None:
    ongoing = f"ongoing-{uuid.uuid4().hex}"
    status, first = _say(ongoing, "can it help with hair thinning?")
    assert status == 200 and first[0]["text"].startswith("Yes. The guide lists hair loss")

    results: List[Tuple[int, bool]] = []
    stop = threading.Event()

    def visitor() -> None:
        sender = uuid.uuid4().hex
        while not stop.is_set():
            code, messages = _say(sender, "is it safe?")
            results.append((code, bool(messages)))

    visitors = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in visitors:
        thread.start()
    time.sleep(2)
    candidate = servers / "candidate.tar.gz"  # a model file outside models/, as a new training makes
    shutil.copy2(MODEL, candidate)
    report = servers / "report"  # the candidate's evaluation, as `make evaluate` writes it
    report.mkdir()
    (report / SUMMARY_FILE).write_text(json.dumps({"model": {"sha256": sha256(candidate)}, "heldout": {}}))
    deployed = _deploy(candidate, servers, token=TOKEN, reports="report")
    time.sleep(2)
    stop.set()
    for thread in visitors:
        thread.join(timeout=180)

    assert deployed.returncode == 0, deployed.stderr
    record = json.loads((servers / "live" / "current.json").read_text())
    assert Path(record["model"]).parent == servers / "live" / "models" and Path(record["model"]).is_file()
    assert (servers / "live" / "evaluation" / SUMMARY_FILE).read_text() == (report / SUMMARY_FILE).read_text()
    assert _status()["model_file"] == Path(record["model"]).name  # Rasa reports the file name
    assert len(results) > 8 and all(code == 200 and answered for code, answered in results), results
    status, follow_up = _say(ongoing, "and how long does that last?")
    text = " ".join(message["text"] for message in follow_up)
    assert status == 200 and "hair loss" in text and "not permanent" in text  # context kept across the switch
