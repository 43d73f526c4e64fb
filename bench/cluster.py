"""The production layout measured by ``make benchmark``: ``deploy/cluster.sh`` with 1, 2... Rasa replicas
behind nginx, PostgreSQL and Redis, on ports of its own (nginx 5380, action server 5379, replicas
5381 and up) and a fresh tracker database per run, dropped afterwards.

For each replica count: 1 visitor and 16 visitors through nginx (latency, throughput), and the CPU
milliseconds per message of each kind of process over the 16-visitor phase: the Rasa replicas, the
action server, nginx, the PostgreSQL backends of the tracker database and the Redis server (shared
with anything else using it on this machine). Their sum gives the messages one core serves a second.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import redis
from sqlalchemy import create_engine, text

from bench.cpu import CpuMeter
from bot.settings import PROJECT_ROOT, load_settings, process_environment

LISTEN_PORT, ACTION_PORT, FIRST_RASA_PORT = 5380, 5379, 5381
URL = f"http://127.0.0.1:{LISTEN_PORT}/webhooks/rest/webhook"
SCRIPT = PROJECT_ROOT / "deploy" / "cluster.sh"
CONF = PROJECT_ROOT / "var" / f"cluster.port-{LISTEN_PORT}" / "supervisord.conf"
REST_TOKEN = secrets.token_hex(16)
START_TIMEOUT_S = 300
SERVER_ROLES = ("rasa", "actions", "nginx", "postgres", "redis")

Load = Callable[[str, Sequence[str], int, int], Dict[str, float]]


class ClusterDidNotStart(RuntimeError):
    """deploy/cluster.sh start failed; the message holds its output."""


def _env(replicas: int, database: str) -> Dict[str, str]:
    return process_environment(
        RASA_TELEMETRY_ENABLED="false",
        REPLICAS=str(replicas),
        CLUSTER_LISTEN=f"127.0.0.1:{LISTEN_PORT}",
        CLUSTER_RASA_PORT=str(FIRST_RASA_PORT),
        CLUSTER_ACTION_PORT=str(ACTION_PORT),
        CLUSTER_START_TIMEOUT=str(START_TIMEOUT_S),
        TRACKER_DB_NAME=database,
        ACTION_ENDPOINT_URL="",
        RASA_AUTH_TOKEN="",
        MESO_REST_TOKEN=REST_TOKEN,  # behind nginx REST is public: it needs the token
        WIDGET_ALLOWED_ORIGINS="",
        MESO_CONVERSATION_RATE_LIMIT="0",  # visitors here send far faster than anyone types
    )


def _supervised_pids() -> Dict[str, List[int]]:
    """The pids supervisord runs, by program (rasa, actions, nginx), from ``supervisorctl status``."""
    status = subprocess.run(
        ["supervisorctl", "-c", str(CONF), "status"], capture_output=True, text=True, timeout=30
    ).stdout
    pids: Dict[str, List[int]] = {}
    for program, pid in re.findall(r"^(\w+)\S*\s+RUNNING\s+pid (\d+)", status, flags=re.MULTILINE):
        pids.setdefault(program, []).append(int(pid))
    return pids


def _nginx_workers(masters: List[int]) -> List[int]:
    """nginx's master processes and their workers."""
    workers = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(path.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in masters:
            workers.append(int(path.parent.name))
    return masters + workers


def server_pids(database: str) -> Dict[str, List[int]]:
    """Every server process of the cluster, by role (see SERVER_ROLES)."""
    settings = load_settings()
    admin = create_engine(settings.test_postgres_admin_url, future=True)
    with admin.connect() as connection:
        backends = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database}
        ).scalars()
        postgres = [int(pid) for pid in backends]
    admin.dispose()
    supervised = _supervised_pids()
    redis_pid = int(redis.Redis(host="127.0.0.1", port=6379).info("server")["process_id"])
    return {
        "rasa": supervised.get("rasa", []),
        "actions": supervised.get("actions", []),
        "nginx": _nginx_workers(supervised.get("nginx", [])),
        "postgres": postgres,
        "redis": [redis_pid],
    }


def _drop(database: str) -> None:
    admin = create_engine(load_settings().test_postgres_admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": database}
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
    admin.dispose()


def measure_cluster(
    replicas: int, questions: Sequence[str], messages_each: int, load: Load, progress: Callable[[str], None]
) -> Dict[str, float]:
    """Start the cluster with ``replicas`` replicas, measure 1 and 16 visitors through nginx and the
    CPU per message of each server over the 16-visitor phase, stop it and drop its database."""
    database = f"meso_bench_{uuid.uuid4().hex[:8]}"
    env = _env(replicas, database)
    progress(f"cluster, {replicas} replica(s): starting (deploy/cluster.sh, nginx on port {LISTEN_PORT})")
    started = subprocess.run(
        [str(SCRIPT), "start"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S + 60
    )
    try:
        if started.returncode != 0:
            raise ClusterDidNotStart(f"deploy/cluster.sh start failed:\n{started.stdout}\n{started.stderr}")
        load(URL, questions, 4, 5)  # warm-up: every replica's caches and database connections
        figures: Dict[str, float] = {}
        for prefix, visitors in (("one", 1), ("sixteen", 16)):
            progress(f"cluster, {replicas} replica(s): {visitors} visitor(s) x {messages_each} messages")
            meter = CpuMeter(server_pids(database))
            measured = load(URL, questions, visitors, messages_each, {"Authorization": f"Bearer {REST_TOKEN}"})
            figures.update({f"{prefix}_{key}": value for key, value in measured.items()})
        cpu = meter.per_message(int(measured["messages"]), server_pids(database))
        figures.update({f"cpu_ms_{role}": value for role, value in cpu.items()})
        figures["msg_per_s_per_core"] = 1000.0 / sum(cpu.values())
    finally:
        subprocess.run([str(SCRIPT), "stop"], cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=180)
        _drop(database)
    return figures
