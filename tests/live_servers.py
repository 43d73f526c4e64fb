"""The real servers for end-to-end tests, started as ``make run`` starts them (scripts/serve.sh)."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.settings import PROJECT_ROOT


def sqlite_endpoints(folder: Path) -> Path:
    """An endpoints file like endpoints.yml, with the conversations in ``folder``."""
    endpoints = folder / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n'
                         "tracker_store:\n  type: connectors.tracker_store.CachedSQLTrackerStore\n"
                         f'  dialect: "sqlite"\n  db: "{folder / "conversations.db"}"\n')
    return endpoints


@contextlib.contextmanager
def serving(env: Dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run scripts/serve.sh (SERVE_ONLY) with ``env`` until both servers answer; stop them after."""
    process = subprocess.Popen(
        ["scripts/serve.sh"], cwd=PROJECT_ROOT, env={**env, "SERVE_ONLY": "1"}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if line.startswith("Ready."):
                break
        else:
            pytest.fail("servers did not start:\n" + "".join(output))
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
