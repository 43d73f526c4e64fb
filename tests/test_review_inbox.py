"""The review inbox on real conversation stores (SQLite and PostgreSQL) filled by the real servers."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.maintain.servers import serving
from bot.maintain.endpoints import write_endpoints
from bot.maintain.review.conversations import UserMessage
from bot.maintain.review.inbox import build_inbox
from bot.maintain.review.tracker_store import tracker_store_url
from bot.maintain.training_data.files import domain_intents
from bot.settings import PROJECT_ROOT, load_settings
from tests.support import postgres_database

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
RASA_PORT, ACTION_PORT = 5105, 5155
REST = f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook"
WEATHER = ["what's the weather tomorrow", "What is the weather tomorrow?", "whats the weather like tomorrow",
           "What's the weather tomorrow??"]
UNDERSTOOD = ["what is mesotherapy", "how much does mesotherapy cost", "does it hurt?"]
HUGE = "a" * 10_000
CONVERSATIONS = [
    ("visitor-1", WEATHER[0]), ("visitor-2", WEATHER[1]), ("visitor-3", WEATHER[2]), ("visitor-1", WEATHER[3]),
    ("visitor-4", "can you book me a flight"), ("visitor-5", "asdkjh qwpoe zxmv"),
    *(("visitor-6", text) for text in UNDERSTOOD),
    # a pressed button (a payload the greeting offered): not typed, so not for review
    ("visitor-7", "hello"), ("visitor-7", "/ask_safety"),
    ("visitor-8", "🙂🙂"), ("visitor-8", "<img src=x onerror=alert(1)>"), ("visitor-8", HUGE),
    # the handoff form: the name and contact detail are slot values (and personal data), not intents
    ("visitor-9", "can I speak to someone"), ("visitor-9", "yes"), ("visitor-9", "Anna Smith"),
    ("visitor-9", "anna@example.com"),
]


def _say(sender: str, text: str) -> List[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(REST, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"[]")


def _fill_store(endpoints: Path, env: Dict[str, str]) -> None:
    """Start the real servers on the given store (as `make run` does), hold the conversations, stop."""
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train` first")
    env = {**os.environ, **env, "RASA_PORT": str(RASA_PORT), "ACTION_PORT": str(ACTION_PORT),
           "ENDPOINTS": str(endpoints), "CREDENTIALS": "credentials.yml"}
    env.pop("RASA_AUTH_TOKEN", None)
    with serving(env):
        for sender, text in CONVERSATIONS:
            assert _say(sender, text), text


def _endpoints(path: Path, tracker_store: str) -> Path:
    """A hand-written endpoints file whose tracker store has the lines ``tracker_store``."""
    path.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{ACTION_PORT}/webhook"\n\n'
                    f"tracker_store:\n  type: connectors.tracker_store.CachedSQLTrackerStore\n{tracker_store}", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("sqlite-store")
    database = folder / "conversations.db"
    settings = load_settings({"ACTION_PORT": str(ACTION_PORT)})
    _fill_store(write_endpoints(folder / "endpoints.yml", settings, f"sqlite:///{database}"), {})
    return f"sqlite:///{database}"


@pytest.fixture(scope="module")
def postgres_endpoints() -> Iterator[Dict[str, object]]:
    """A store in a fresh PostgreSQL database, with the production settings (endpoints.production.yml:
    PostgreSQL conversations, Redis locks) filled from the environment as in production."""
    for url in postgres_database():
        env = {"TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": make_url(url).database,
               "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "",
               "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ACTION_PORT}/webhook",
               "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1", "REDIS_PASSWORD": ""}
        endpoints = PROJECT_ROOT / "endpoints.production.yml"
        _fill_store(endpoints, env)
        yield {"endpoints": endpoints, "env": env, "url": url}


def _cli(*args: str, env: Dict[str, str] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )


def _all_texts(entry: dict) -> List[str]:
    return [entry["text"], *(entry.get("variants") or [])]


def _check_inbox(path: Path) -> None:
    content = path.read_text(encoding="utf-8")
    for intent in domain_intents(PROJECT_ROOT / "domain.yml"):
        assert intent in content.split("\n\n")[0], f"the header lists {intent}"
    inbox = yaml.safe_load(content)
    entries = inbox["entries"]
    texts = [text for entry in entries for text in _all_texts(entry)]
    assert all(entry["intent"] is None for entry in entries)  # blank, for the maintainer to fill in

    weather = entries[0]
    assert sorted(_all_texts(weather)) == sorted(WEATHER[:3])  # the "??" spelling is a repeat, not a variant
    assert (weather["count"], weather["visitors"]) == (4, 3)
    assert weather["predicted"]["intent"] == "out_of_scope" and weather["reasons"] == ["out_of_scope"]
    assert all(entry["count"] == 1 for entry in entries[1:])
    assert datetime.strptime(weather["first_seen"], "%Y-%m-%d %H:%M").date() == datetime.now(timezone.utc).date()

    assert "can you book me a flight" in texts
    assert "asdkjh qwpoe zxmv" in texts and "<img src=x onerror=alert(1)>" in texts and "🙂🙂" in texts
    gibberish = next(entry for entry in entries if entry["text"] == "asdkjh qwpoe zxmv")
    assert gibberish["reasons"] == ["fallback"] and gibberish["predicted"]["intent"] != "nlu_fallback"
    huge = next(entry for entry in entries if entry["text"].startswith("aaaa"))
    assert huge["truncated"] is True and len(huge["text"]) < 600
    for text in UNDERSTOOD + ["/ask_safety", "ask_safety", "hello", "Anna Smith", "anna@example.com", "yes"]:
        assert text not in texts
    assert inbox["messages_to_review"] == sum(entry["count"] for entry in entries)


@pytest.mark.servers  # fills its store through the real servers
def test_sqlite_store_through_the_cli(sqlite_store: str, tmp_path: Path) -> None:
    out = tmp_path / "inbox.yml"
    result = _cli("review-inbox", "--tracker-db", sqlite_store, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{out}: 6 groups from 9 messages to review" in result.stdout
    _check_inbox(out)


@pytest.mark.servers  # fills its store through the real servers
def test_postgresql_store_read_from_an_endpoints_file_with_environment_values(
        postgres_endpoints: Dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "inbox.yml"
    result = _cli("review-inbox", "--endpoints", str(postgres_endpoints["endpoints"]), "--out", str(out),
                  env=postgres_endpoints["env"])
    assert result.returncode == 0, result.stderr
    assert "6 groups from 9 messages" in result.stdout and "postgresql://postgres@127.0.0.1:5432/" in result.stdout
    _check_inbox(out)


@pytest.mark.servers  # fills its store through the real servers
def test_threshold_and_since_options(sqlite_store: str, tmp_path: Path) -> None:
    out = tmp_path / "inbox.yml"
    strict = _cli("review-inbox", "--tracker-db", sqlite_store, "--out", str(out), "--threshold", "0.95", "--force")
    assert strict.returncode == 0, strict.stderr
    texts = [text for entry in yaml.safe_load(out.read_text())["entries"] for text in _all_texts(entry)]
    assert "what is mesotherapy" in texts  # understood at ~0.84: under a 0.95 threshold it is listed
    future = _cli("review-inbox", "--tracker-db", sqlite_store, "--out", str(out), "--since", "2999-01-01",
                  "--force")
    assert future.returncode == 0 and yaml.safe_load(out.read_text())["entries"] == []


@pytest.mark.servers  # fills its store through the real servers
def test_an_inbox_with_labels_is_not_overwritten(sqlite_store: str, tmp_path: Path) -> None:
    out = tmp_path / "inbox.yml"
    assert _cli("review-inbox", "--tracker-db", sqlite_store, "--out", str(out)).returncode == 0
    out.write_text(out.read_text().replace("intent:\n", "intent: out_of_scope\n", 1))
    labelled = out.read_text()
    result = _cli("review-inbox", "--tracker-db", sqlite_store, "--out", str(out))
    assert result.returncode == 1 and "has 1 labelled entries" in result.stderr
    assert out.read_text() == labelled


def test_an_empty_store_gives_an_empty_inbox(tmp_path: Path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    database = tmp_path / "empty.db"
    SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database)).engine.dispose()  # Rasa creates its tables
    out = tmp_path / "inbox.yml"
    result = _cli("review-inbox", "--tracker-db", f"sqlite:///{database}", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "0 groups from 0 messages" in result.stdout
    assert yaml.safe_load(out.read_text())["entries"] == []


@pytest.mark.parametrize("store, message", [
    ("missing.db", "no conversation store at"),
    ("no-tables.db", "has no `events` table"),
    ("postgresql+psycopg2://postgres@127.0.0.1:1/none", "cannot open the conversation store"),
])
def test_a_wrong_store_is_a_clear_error(tmp_path: Path, store: str, message: str) -> None:
    if store == "no-tables.db":
        sqlite3.connect(tmp_path / store).execute("CREATE TABLE other (id INTEGER)")
    url = store if "://" in store else f"sqlite:///{tmp_path / store}"
    result = _cli("review-inbox", "--tracker-db", url, "--out", str(tmp_path / "inbox.yml"))
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "inbox.yml").exists()


def test_endpoints_with_an_unset_variable_is_a_clear_error(tmp_path: Path) -> None:
    endpoints = _endpoints(tmp_path / "endpoints.yml", '  dialect: "postgresql"\n  db: "${REVIEW_TEST_UNSET}"\n')
    result = _cli("review-inbox", "--endpoints", str(endpoints), "--out", str(tmp_path / "inbox.yml"))
    assert result.returncode == 1 and "REVIEW_TEST_UNSET is not set" in result.stderr


def test_store_urls_from_the_shipped_endpoints_files() -> None:
    assert tracker_store_url(PROJECT_ROOT / "endpoints.yml", PROJECT_ROOT) == \
        f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"
    production = {"TRACKER_DB_HOST": "db.internal", "TRACKER_DB_PORT": "5433", "TRACKER_DB_NAME": "rasa",
                  "TRACKER_DB_USER": "bot", "TRACKER_DB_PASSWORD": "s3cr/et"}
    url = make_url(tracker_store_url(PROJECT_ROOT / "endpoints.production.yml", PROJECT_ROOT, production))
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == \
        ("postgresql", "db.internal", 5433, "rasa", "bot", "s3cr/et")


def _message(sender: str, text: str, intent: str, confidence: float, at: float) -> UserMessage:
    return UserMessage(sender, text, at, intent, confidence, ((intent, confidence),))


def test_case_whitespace_and_punctuation_variants_fall_in_one_group() -> None:
    messages = [
        _message("a", "Is it  safe during Pregnancy?", "ask_safety", 0.4, 1.0),
        _message("b", "is it safe during pregnancy", "ask_safety", 0.5, 2.0),
        _message("c", "IS IT SAFE DURING PREGNANCY!!!", "ask_safety", 0.3, 3.0),
        _message("c", "what's your opening time", "ask_find_clinic", 0.2, 4.0),
        _message("d", "hello", "greet", 0.99, 5.0),
    ]
    inbox = build_inbox(messages, threshold=0.6)
    assert [(group.text, group.variants, group.count, group.visitors) for group in inbox.groups] == [
        ("Is it safe during Pregnancy?", (), 3, 3), ("what's your opening time", (), 1, 1)]
    assert inbox.groups[0].confidence == 0.4 and (inbox.messages_read, inbox.messages_selected) == (5, 4)


def test_a_quoted_environment_value_is_flagged_since_rasa_does_not_expand_it(tmp_path: Path) -> None:
    endpoints = _endpoints(tmp_path / "endpoints.yml",
                           '  dialect: postgresql\n  url: "${REVIEW_TEST_HOST}"\n  db: ${REVIEW_TEST_DB}\n')
    result = _cli("review-inbox", "--endpoints", str(endpoints), "--out", str(tmp_path / "inbox.yml"),
                  env={"REVIEW_TEST_HOST": "127.0.0.1", "REVIEW_TEST_DB": "none"})
    assert "tracker_store url is a quoted ${VAR}, which Rasa 3.6 does not expand" in result.stderr
    assert "tracker_store db" not in result.stderr
