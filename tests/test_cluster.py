"""The production layout (deploy/cluster.sh) with 2 Rasa replicas behind nginx, checked in PostgreSQL.

One cluster for the module, on ports of its own (5739-5742) and a fresh tracker database: 16
visitors x 50 messages round-robin over the replicas plus bursts of 3 simultaneous messages in one
conversation, then `kill -9` of a replica while visitors talk, then a full restart (supervisord,
every replica, the action server and nginx stopped and started again from the same files). Every
message must be answered, and the events stored once each, in order, each message's events
together (no interleaving); after the restart, conversations go on where they were.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List, NamedTuple, Tuple

import pytest
import requests
from sqlalchemy import create_engine, text

from bench.benchmark import OUR_QUESTIONS
from bot.clinic.contact_form import QUESTIONS as HANDOFF_QUESTIONS
from bot.settings import PROJECT_ROOT
from tests.support import POSTGRES_ADMIN_URL

pytestmark = [pytest.mark.servers, pytest.mark.slow]

LISTEN_PORT, ACTION_PORT, FIRST_RASA_PORT, REPLICAS = 5740, 5739, 5741, 2
URL = f"http://127.0.0.1:{LISTEN_PORT}"
CLUSTER_DIR = PROJECT_ROOT / "var" / f"cluster.port-{LISTEN_PORT}"
QUESTIONS = OUR_QUESTIONS  # the benchmark's visitors ask the same
VISITORS, MESSAGES_EACH = 16, 50
BURST_CONVERSATIONS, BURSTS, BURST_SIZE = 4, 8, 3
START_TIMEOUT_S = 240
RUN_TIMEOUT_S = 180
SCRIPT = str(PROJECT_ROOT / "deploy" / "cluster.sh")
REST_TOKEN = secrets.token_hex(16)


def _cluster_sh(command: str, env: Dict[str, str]) -> subprocess.CompletedProcess:
    """``deploy/cluster.sh start|stop`` with the test's settings."""
    return subprocess.run(
        [SCRIPT, command], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S + 60
    )


class Cluster(NamedTuple):
    """The running cluster: its tracker database and the environment deploy/cluster.sh was given."""

    database: str
    env: Dict[str, str]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    database = f"meso_cluster_test_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CLUSTER_LISTEN": f"127.0.0.1:{LISTEN_PORT}",
        "CLUSTER_RASA_PORT": str(FIRST_RASA_PORT),
        "CLUSTER_ACTION_PORT": str(ACTION_PORT),
        "REPLICAS": str(REPLICAS),
        "TRACKER_DB_NAME": database,
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": "5432",
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
        "ACTION_ENDPOINT_URL": "",
        "RASA_AUTH_TOKEN": "",
        "MESO_REST_TOKEN": REST_TOKEN,  # behind nginx REST is public: it needs the token
        "WIDGET_ALLOWED_ORIGINS": "",
        # the test sends far faster than a visitor types: no per-conversation rate limit
        "MESO_CONVERSATION_RATE_LIMIT": "0",
        "CLUSTER_START_TIMEOUT": str(START_TIMEOUT_S),
    }
    started = _cluster_sh("start", env)
    try:
        assert started.returncode == 0, f"cluster did not start:\n{started.stdout}\n{started.stderr}"
        yield Cluster(database, env)
    finally:
        _cluster_sh("stop", env)
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": database}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()


class Visitor:
    """One conversation over the REST channel through nginx; retries a message whose answer was lost
    (HTTP 502/503 or a dropped connection: its replica died), as messaging platforms do."""

    def __init__(self, name: str, sender: str = "") -> None:
        self.sender = sender or f"{name}-{uuid.uuid4().hex[:8]}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {REST_TOKEN}"
        self.sent: List[str] = []
        self.retried: List[str] = []  # messages sent again after a lost answer
        self.unanswered: List[str] = []

    def say(self, message: str) -> List[str]:
        """Send ``message``; the texts of its answer."""
        for _attempt in range(6):
            try:
                response = self.http.post(
                    f"{URL}/webhooks/rest/webhook", json={"sender": self.sender, "message": message}, timeout=60
                )
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code == 200:
                answer = response.json()
                if not answer:
                    self.unanswered.append(message)
                self.sent.append(message)
                return [part.get("text", "") for part in answer]
            if response is not None and response.status_code not in (502, 503, 504):
                raise AssertionError(f"{self.sender}: HTTP {response.status_code} {response.text[:200]}")
            self.retried.append(message)
            time.sleep(0.5)
        raise AssertionError(f"{self.sender}: no answer to {message!r} after 6 attempts")

    def converse(self, messages: int, offset: int) -> "Visitor":
        for number in range(messages):
            self.say(QUESTIONS[(offset + number) % len(QUESTIONS)])
        return self


def _burst(visitor: Visitor, bursts: int) -> Visitor:
    """``bursts`` times, BURST_SIZE messages of one conversation sent at the same moment."""
    for round_number in range(bursts):
        barrier = threading.Barrier(BURST_SIZE)
        senders = [Visitor("", sender=visitor.sender) for _ in range(BURST_SIZE)]  # a connection each, one conversation

        def send(sender: Visitor, message: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            sender.say(message)

        threads = [
            threading.Thread(target=send, args=(sender, QUESTIONS[(round_number + index) % len(QUESTIONS)]))
            for index, sender in enumerate(senders)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(RUN_TIMEOUT_S)
        for clone in senders:
            visitor.sent += clone.sent
            visitor.retried += clone.retried
            visitor.unanswered += clone.unanswered
    return visitor


def _stored(database: str, sender: str) -> List[Tuple[int, str, float, str]]:
    """(id, type, timestamp, user text) of the conversation's events, in id order."""
    engine = create_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, type_name, timestamp, CASE WHEN type_name = 'user' THEN data::json->>'text' END "
                "FROM events WHERE sender_id LIKE :s ORDER BY id"
            ),
            {"s": f"%{sender}"},
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _check_stored(database: str, visitor: Visitor, ordered: bool) -> int:
    """The conversation's events: each message stored once (or twice when it was re-sent after a lost
    answer), timestamps in id order, each message's events before the next message. Returns the
    messages stored twice."""
    events = _stored(database, visitor.sender)
    assert events, f"{visitor.sender}: nothing stored"
    timestamps = [timestamp for _, _, timestamp, _ in events]
    assert timestamps == sorted(timestamps), f"{visitor.sender}: timestamps out of id order"
    texts = [user_text for _, kind, _, user_text in events if kind == "user"]
    extra = Counter(texts) - Counter(visitor.sent)
    assert not Counter(visitor.sent) - Counter(texts), f"{visitor.sender}: messages not stored"
    assert sum(extra.values()) <= len(visitor.retried), f"{visitor.sender}: stored more than once: {extra}"
    if ordered and not extra:
        assert texts == visitor.sent, f"{visitor.sender}: stored out of order"
    # action_listen rows closing each turn: one per message stored (the lock kept turns apart)
    engine = create_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", future=True)
    with engine.connect() as connection:
        sequence = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT CASE WHEN type_name = 'user' THEN 'U' WHEN action_name = 'action_listen' THEN 'L' END "
                    "FROM events WHERE sender_id LIKE :s AND (type_name = 'user' OR action_name = 'action_listen') "
                    "ORDER BY id"
                ),
                {"s": f"%{visitor.sender}"},
            )
        ]
    engine.dispose()
    turns = "".join(sequence).lstrip("L")  # the session start's action_listen
    assert turns == "UL" * len(texts), f"{visitor.sender}: turns interleaved: {turns}"
    return sum(extra.values())


ACCESS_LOG = CLUSTER_DIR / "logs" / "nginx-access.log"


def _upstreams(offset: int) -> Counter:
    """Messages per replica that answered them, from byte ``offset`` of nginx's access log on."""
    counts: Counter = Counter()
    with open(ACCESS_LOG, encoding="utf-8") as log:
        log.seek(offset)
        for line in log:
            if "POST /webhooks/rest/webhook" in line and "upstream=" in line:
                tried = line.split("upstream=")[1].split(" upstream_status=")[0]
                counts[tried.split(",")[-1].strip()] += 1  # "a, b": a failed, b answered
    return counts


def test_visitors_and_bursts_through_nginx_are_answered_and_stored_once_in_order(cluster: Cluster) -> None:
    started, log_offset = time.monotonic(), ACCESS_LOG.stat().st_size
    with ThreadPoolExecutor(max_workers=VISITORS + BURST_CONVERSATIONS) as pool:
        talking = [pool.submit(Visitor(f"visitor{n}").converse, MESSAGES_EACH, n) for n in range(VISITORS)]
        bursting = [pool.submit(_burst, Visitor(f"burst{n}"), BURSTS) for n in range(BURST_CONVERSATIONS)]
        visitors = [future.result(timeout=RUN_TIMEOUT_S) for future in talking]
        bursts = [future.result(timeout=RUN_TIMEOUT_S) for future in bursting]
    elapsed = time.monotonic() - started
    for visitor in visitors + bursts:
        assert not visitor.unanswered, f"{visitor.sender}: empty answers to {visitor.unanswered}"
        assert not visitor.retried, f"{visitor.sender}: answers lost with every replica up"
    assert sum(len(v.sent) for v in visitors) == VISITORS * MESSAGES_EACH
    assert all(len(v.sent) == BURSTS * BURST_SIZE for v in bursts)
    for visitor in visitors:
        assert _check_stored(cluster.database, visitor, ordered=True) == 0
    for visitor in bursts:
        assert _check_stored(cluster.database, visitor, ordered=False) == 0
    used = _upstreams(log_offset)
    assert len(used) == REPLICAS and min(used.values()) > 0.3 * sum(used.values()), f"not spread: {used}"
    print(f"\n{VISITORS}x{MESSAGES_EACH} + bursts in {elapsed:.1f} s; requests per replica: {dict(used)}")


def _supervisorctl(*args: str) -> str:
    conf = CLUSTER_DIR / "supervisord.conf"
    return subprocess.run(["supervisorctl", "-c", str(conf), *args], capture_output=True, text=True, timeout=30).stdout


def test_a_killed_replica_is_restarted_and_its_visitors_go_on(cluster: Cluster) -> None:
    victim = f"rasa:rasa-{FIRST_RASA_PORT}"
    pid = int(_supervisorctl("pid", victim).strip())
    visitors = [Visitor(f"failover{n}") for n in range(8)]
    with ThreadPoolExecutor(max_workers=len(visitors)) as pool:
        running = [pool.submit(visitor.converse, MESSAGES_EACH, n) for n, visitor in enumerate(visitors)]
        time.sleep(2.0)  # mid-run
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        for future in running:
            future.result(timeout=RUN_TIMEOUT_S)
    stored_twice = 0
    for visitor in visitors:
        assert not visitor.unanswered, f"{visitor.sender}: empty answers to {visitor.unanswered}"
        assert len(visitor.sent) == MESSAGES_EACH
        stored_twice += _check_stored(cluster.database, visitor, ordered=True)
    # supervisord restarts it (a new process) and it answers again on its port
    deadline = killed_at + 150
    while time.monotonic() < deadline:
        status = _supervisorctl("status", victim)
        new_pid = _supervisorctl("pid", victim).strip()
        if "RUNNING" in status and new_pid.isdigit() and int(new_pid) != pid:
            try:
                if requests.get(f"http://127.0.0.1:{FIRST_RASA_PORT}/webhooks/rest/", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
        time.sleep(1)
    else:
        pytest.fail(f"{victim} was not brought back: {_supervisorctl('status')}")
    back_after = time.monotonic() - killed_at
    after = Visitor("after-restart").converse(4, 0)
    assert not after.unanswered
    retried = sum(len(v.retried) for v in visitors)
    print(
        f"\nkill -9 {victim}: {retried} messages re-sent after a lost answer, {stored_twice} of them stored twice; "
        f"replica back after {back_after:.0f} s"
    )


def _listening(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return True
    except requests.ConnectionError:
        return False


def test_after_a_full_restart_conversations_go_on_where_they_were(cluster: Cluster) -> None:
    database, env = cluster.database, cluster.env
    in_form = Visitor("restart-form")
    assert in_form.say("can I speak to someone")
    assert HANDOFF_QUESTIONS["contact_name"] in in_form.say("yes"), "the form did not ask for the name"
    talking = Visitor("restart-talk").converse(6, 0)
    before = {visitor.sender: _stored(database, visitor.sender) for visitor in (in_form, talking)}

    stopped = _cluster_sh("stop", env)
    assert stopped.returncode == 0, f"cluster did not stop:\n{stopped.stdout}\n{stopped.stderr}"
    assert not _listening(f"{URL}/health"), "nginx still answers after the stop"
    assert not _listening(f"http://127.0.0.1:{FIRST_RASA_PORT}/webhooks/rest/"), "a replica still answers"
    started = _cluster_sh("start", env)
    assert started.returncode == 0, f"cluster did not start again:\n{started.stdout}\n{started.stderr}"

    # the visitor in the handoff form is still in it: their name is taken, the contact detail asked
    assert HANDOFF_QUESTIONS["contact_detail"] in in_form.say("Anna Smith"), "the form was lost in the restart"
    talking.converse(4, 6)
    assert not in_form.unanswered and not talking.unanswered
    for visitor in (in_form, talking):
        after = _stored(database, visitor.sender)
        earlier = before[visitor.sender]
        assert after[: len(earlier)] == earlier, f"{visitor.sender}: earlier events changed in the restart"
        assert len(after) > len(earlier)
        assert _check_stored(database, visitor, ordered=True) == 0
