"""The retention period applied on a schedule: the action server (``python -m actions.server``) runs
``apply-retention`` at its start, so conversations and handoff requests older than
``MESO_RETENTION_DAYS`` go away without anyone running a command (SQLite; the command itself is
tested on SQLite and PostgreSQL in tests/test_privacy.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.maintain.endpoints import write_endpoints
from bot.settings import PROJECT_ROOT, load_settings
from tests.test_privacy import _events, _handoffs, filled_stores

pytestmark = [pytest.mark.servers]
ACTION_PORT = 5965
WAIT_S = 180


def test_the_action_server_deletes_what_is_older_than_the_retention_period_at_its_start(tmp_path: Path) -> None:
    tracker_url, database_url = f"sqlite:///{tmp_path / 'conversations.db'}", f"sqlite:///{tmp_path / 'knowledge.db'}"
    for _ in filled_stores((tracker_url, database_url)):
        pass
    env = {
        **os.environ,
        "ACTION_PORT": str(ACTION_PORT),
        "MESO_DATABASE_URL": database_url,
        "MESO_VAR_DIR": str(tmp_path),
        "MESO_RETENTION_DAYS": "30",
    }
    env["ENDPOINTS"] = str(write_endpoints(tmp_path / "endpoints.yml", load_settings(env), tracker_url))
    log = tmp_path / "action-server.log"
    with log.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "actions.server"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    tracker, database = create_engine(tracker_url), create_engine(database_url)
    try:
        deadline = time.monotonic() + WAIT_S  # the server says when the retention run is over
        while "Retention applied" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline \
                and server.poll() is None:
            time.sleep(1)
        said = log.read_text(encoding="utf-8")
        assert "Retention applied" in said and "1 handoff requests deleted" in said, said
        assert "web:old" not in _events(tracker), "the 60-day-old conversation is still stored"
        assert set(_events(tracker)) == {"web:anna", "web:bob"}  # recent conversations kept
        assert _handoffs(database) == ["web:anna", "web:bob"]  # the old request deleted, the recent kept
    finally:
        server.terminate()
        server.wait(timeout=60)
        tracker.dispose()
        database.dispose()
