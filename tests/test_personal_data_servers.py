"""Personal data written by the real servers (scripts/serve.sh, ports 5910 / 5911; conversations
and the knowledge base in fresh SQLite files): phone numbers and email addresses masked in both
servers' logs (the Rasa server at LOG_LEVEL=DEBUG, which logs every message) and in the review
inbox; every file the servers create readable by their user only (umask 077); a cancelled
handoff form leaves neither the name nor the contact typed into it in the stored conversation.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

import pytest

from bot.clinic import contact_form
from bot.maintain.endpoints import write_endpoints
from bot.maintain.servers import serving
from bot.settings import PROJECT_ROOT, load_settings
from tests.support import rest_reply_texts

RASA_PORT, ACTION_PORT = 5910, 5911
MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
LOGS = [PROJECT_ROOT / "var" / "logs" / f"{name}.port-{RASA_PORT}.log" for name in ("rasa", "actions")]
PHONE, EMAIL = "+44 7700 900123", "jane.quimby@example.com"
NAME = "Jane Quimby"

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("personal-data")


@pytest.fixture(scope="module")
def servers(work: Path) -> Iterator[None]:
    env = {
        **os.environ,
        "RASA_PORT": str(RASA_PORT),
        "ACTION_PORT": str(ACTION_PORT),
        "MESO_VAR_DIR": str(work / "var"),  # the knowledge base and handoff requests, built fresh
        "LOG_LEVEL": "DEBUG",
    }
    env.pop("MESO_DATABASE_URL", None)
    env["ENDPOINTS"] = str(
        write_endpoints(work / "endpoints.yml", load_settings(env), f"sqlite:///{work / 'conversations.db'}")
    )
    (work / "var").mkdir()
    with serving(env):
        yield


def say(sender: str, text: str) -> List[str]:
    return rest_reply_texts(RASA_PORT, sender, text, timeout=60)


def stored_events(work: Path, sender: str) -> str:
    with sqlite3.connect(work / "conversations.db") as connection:
        return "\n".join(row[0] for row in connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))


def fill_form(sender: str, answers: List[str]) -> List[str]:
    """Ask for a person, consent, then give ``answers``; the replies to the last one."""
    assert contact_form.QUESTIONS["handoff_consent"] in say(sender, "I want to talk to a person")
    assert contact_form.QUESTIONS["contact_name"] in say(sender, "yes")
    replies: List[str] = []
    for answer in answers:
        replies = say(sender, answer)
    return replies


def test_cancelling_the_form_deletes_the_name_and_contact_typed(servers: None, work: Path) -> None:
    replies = fill_form("cancelling", [NAME, "cancel"])
    assert replies[0] == contact_form.CANCELLED
    stored = stored_events(work, "rest:cancelling")
    assert NAME not in stored
    assert "I want to talk to a person" in stored  # the conversation before the form is kept
    # The conversation goes on, and a new form starts empty.
    assert contact_form.QUESTIONS["handoff_consent"] in say("cancelling", "I want to talk to a person")
    assert NAME not in stored_events(work, "rest:cancelling")


def test_phone_numbers_and_emails_are_masked_in_logs_and_the_inbox(servers: None, work: Path) -> None:
    say("masking", f"call me on {PHONE} or write to {EMAIL} about the bruises")
    replies = fill_form("masking", [NAME, EMAIL])
    assert any("will email you at the address you gave" in reply for reply in replies)
    logs = {log.name: log.read_text(encoding="utf-8", errors="replace") for log in LOGS}
    for name, text in logs.items():
        assert PHONE not in text and "7700 900123" not in text, name
        assert EMAIL not in text, name
    assert "<phone>" in logs[LOGS[0].name] and "<email>" in logs[LOGS[0].name]  # the DEBUG log has the messages
    inbox = work / "inbox.yml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "review-inbox",
            "--tracker-db",
            f"sqlite:///{work / 'conversations.db'}",
            "--out",
            str(inbox),
            "--threshold",
            "1.0",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    assert stat.S_IMODE(inbox.stat().st_mode) == 0o600
    listed = inbox.read_text(encoding="utf-8")
    assert "<phone>" in listed and "<email>" in listed
    assert PHONE not in listed and EMAIL not in listed


def test_files_the_servers_write_are_readable_by_their_user_only(servers: None, work: Path) -> None:
    say("modes", "what is mesotherapy?")
    created = sorted((work / "var").rglob("*"))  # the knowledge base, handoff requests, secrets
    assert work / "var" / "knowledge.db" in created
    for path in [*LOGS, work / "conversations.db", *created]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path}: {oct(path.stat().st_mode)}"
