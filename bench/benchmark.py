"""Benchmark our assistant against stock Rasa on this machine: ``python -m bot benchmark``.

One harness, two subjects measured in the same run:

* ours: the real servers started by ``scripts/serve.sh`` (ports 5305/5355);
* stock: the ``rasa init`` assistant, created and trained in a temporary folder, served by
  ``rasa run`` and ``rasa run actions`` (ports 5405/5455).

For each: cold start (launch to first answer), REST latency p50/p95/p99 at 1 and 16 concurrent
visitors (action server in the loop; ours also the knowledge base), throughput, the CPU
milliseconds per message of the Rasa server and of the action server over the 16-visitor phase
(``bench/cpu.py``), resident memory of both, model size and full training time (cache disabled,
into a temporary folder: ``models/`` is never written). Prints a table with the ratio
ours/stock for every figure, the targets on our figures and on the ratios (met / not met), and
writes JSON.

Ours only, the flat-cost check (``--flat-messages``, 400): one conversation of 400 messages, the
p50 of its last 20 messages against its first 20 (target <= 1.2); and the production layout
(``bench/cluster.py``, ``--cluster-replicas``, 1 and 2): ``deploy/cluster.sh`` behind nginx with
PostgreSQL and Redis, 1 and 16 visitors, CPU per message of every server process and the messages
one core serves a second.

Ours only, the flood scenario (``--skip-flood`` to leave it out): 16 visitors, each from its own
loopback address (127.0.0.10-25: the rate limits exempt 127.0.0.1 alone) and conversation, 8
messages each, all at once: their p99 alone, then while one address (127.0.0.2) sends 50 requests
a second for 3 s (every 30th 1 MB), and the ratio (target <= 2); and the latency of one 1 MB message.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from bench.cluster import SERVER_ROLES, ClusterDidNotStart, measure_cluster
from bench.cpu import CpuMeter
from bot.http_json import HttpJsonError, request_json
from bot.maintain.endpoints import write_endpoints
from bot.maintain.servers import Servers, ServeScript, is_action_server, is_rasa_server, launch_commands
from bot.settings import load_settings, process_environment

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "bin" / "rasa"
STARTED = time.perf_counter()
PROGRESS_EVERY_S = 15.0
START_TIMEOUT_S = 300.0

OUR_QUESTIONS = (
    "what is mesotherapy",
    "does it hurt",
    "can it help with hair loss?",
    "is it safe",
    "how long do results last",
    "what's in the cocktail",
    "who should do it",
    "how much does it cost",
)
STOCK_QUESTIONS = ("hello", "I am sad", "great", "are you a bot?", "goodbye")

# (key, label, unit, target): target is (comparison, bound) on our figure, or None.
Target = Optional[Tuple[str, float]]
METRICS: List[Tuple[str, str, str, Target]] = [
    ("cold_start_s", "cold start (launch to first answer)", "s", ("<=", 15.0)),
    ("one_p50_ms", "latency p50, 1 visitor", "ms", ("<=", 20.0)),
    ("one_p95_ms", "latency p95, 1 visitor", "ms", None),
    ("one_p99_ms", "latency p99, 1 visitor", "ms", None),
    ("one_msg_per_s", "throughput, 1 visitor", "msg/s", None),
    ("sixteen_p50_ms", "latency p50, 16 visitors", "ms", None),
    ("sixteen_p95_ms", "latency p95, 16 visitors", "ms", None),
    ("sixteen_p99_ms", "latency p99, 16 visitors", "ms", ("<=", 100.0)),
    ("sixteen_msg_per_s", "throughput, 16 visitors", "msg/s", (">=", 100.0)),
    ("cpu_ms_rasa", "CPU per message, Rasa server (16 visitors)", "ms", None),
    ("cpu_ms_actions", "CPU per message, action server (16 visitors)", "ms", None),
    ("msg_per_s_per_core", "messages a second per core (1000 / CPU ms of both)", "msg/s", None),
    ("flat_first_p50_ms", "one long conversation: p50 of messages 1-20", "ms", None),
    ("flat_last_p50_ms", "one long conversation: p50 of its last 20", "ms", None),
    ("flat_cost_ratio", "flat cost: p50 of the last 20 / of messages 1-20", "x", ("<=", 1.2)),
    ("flood_quiet_p99_ms", "flood: 16 visitors' p99 alone", "ms", None),
    ("flood_during_p99_ms", "flood: 16 visitors' p99 during the flood", "ms", None),
    ("flood_p99_ratio", "flood: p99 during / p99 alone", "x", ("<=", 2.0)),
    ("flood_refused", "flood: attacker's requests refused with 429 (of 150)", "", None),
    ("big_message_ms", "one 1 MB message answered", "ms", None),
    ("rasa_rss_mb", "Rasa server resident memory", "MB", ("<=", 700.0)),
    ("action_rss_mb", "action server resident memory", "MB", None),
    ("model_size_mb", "model size", "MB", None),
    ("training_s", "full training", "s", ("<=", 120.0)),
]
# Targets on the ratio ours/stock measured in the same run (issue 11).
RATIO_TARGETS: Dict[str, Tuple[str, float]] = {
    "sixteen_msg_per_s": (">=", 5.0),
    "sixteen_p99_ms": ("<=", 0.2),
    "one_p50_ms": ("<=", 0.3),
}


def progress(message: str) -> None:
    """Print a progress line with the seconds since the benchmark started."""
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", flush=True)


@dataclass(frozen=True)
class Subject:
    """An assistant to measure: how to launch its servers and what to ask it."""

    name: str
    root: Path
    rasa_port: int
    action_port: int
    first_question: str  # asked until the first answer (cold start)
    questions: Sequence[str]  # asked in turn by every visitor
    model: Path
    env: Dict[str, str]
    commands: Optional[List[List[str]]]  # each started in its own session; None: scripts/serve.sh
    logs: Path
    training_s: Optional[float] = None

    @property
    def url(self) -> str:
        """The REST channel's webhook."""
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"


# --- HTTP load ------------------------------------------------------------------------------


class NoAnswer(RuntimeError):
    """The assistant answered with no message."""


def _post(url: str, sender: str, text: str, headers: Optional[Mapping[str, str]] = None) -> float:
    """Send one message; milliseconds until the answer. Raises NoAnswer on an empty answer."""
    started = time.perf_counter()
    answer = request_json("POST", url, {"sender": sender, "message": text}, headers=headers).json()
    elapsed = (time.perf_counter() - started) * 1000
    if not answer:
        raise NoAnswer(f"no answer to {text!r}")
    return elapsed


def _percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _visitor(
    url: str, questions: Sequence[str], index: int, messages: int, headers: Optional[Mapping[str, str]] = None
) -> Tuple[List[float], int]:
    """One visitor's conversation: latencies of its answered messages and its empty answers."""
    sender, latencies, empty = f"bench-{uuid.uuid4().hex[:8]}", [], 0
    for i in range(messages):
        started = time.perf_counter()
        try:
            latencies.append(_post(url, sender, questions[(index + i) % len(questions)], headers))
        except NoAnswer:
            latencies.append((time.perf_counter() - started) * 1000)
            empty += 1
    return latencies, empty


def load(
    url: str,
    questions: Sequence[str],
    visitors: int,
    messages_each: int,
    headers: Optional[Mapping[str, str]] = None,
) -> Dict[str, float]:
    """``visitors`` concurrent conversations of ``messages_each`` messages: latency and throughput
    (``headers``: sent with every message, e.g. the REST token behind a proxy)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=visitors) as pool:
        results = list(pool.map(lambda i: _visitor(url, questions, i, messages_each, headers), range(visitors)))
    elapsed = time.perf_counter() - started
    latencies = [ms for result, _ in results for ms in result]
    return {
        "p50_ms": _percentile(latencies, 0.50),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "mean_ms": statistics.mean(latencies),
        "msg_per_s": len(latencies) / elapsed,
        "messages": len(latencies),
        "empty_answers": sum(empty for _, empty in results),
    }


def flat_cost(url: str, questions: Sequence[str], messages: int, window: int = 20) -> Dict[str, float]:
    """One visitor's conversation of ``messages`` messages: the median latency of its first and of its
    last ``window`` messages, and their ratio (1.0: each message costs the same however long the conversation)."""
    latencies, _ = _visitor(url, questions, 0, messages)
    first, last = statistics.median(latencies[:window]), statistics.median(latencies[-window:])
    return {
        "flat_first_p50_ms": first,
        "flat_last_p50_ms": last,
        "flat_cost_ratio": last / first,
        "flat_messages": messages,
    }


# --- the flood scenario (ours only) ---------------------------------------------------------


FLOOD_VISITORS, FLOOD_MESSAGES_EACH = 16, 8  # within the per-conversation burst (a third of 30 a minute)
FLOOD_ADDRESS = "127.0.0.2"


def _post_from(port: int, source: str, sender: str, text: str) -> Tuple[int, float, object]:
    """POST one message from the loopback address ``source`` (not exempt from the rate limits, unlike
    127.0.0.1): (status, milliseconds, decoded answer)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
    try:
        connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        content = answer.read()
    finally:
        connection.close()
    return answer.status, (time.perf_counter() - started) * 1000, json.loads(content) if content else None


def _flood_visitors(port: int, round_name: str) -> List[float]:
    """16 visitors at once, each its own address and conversation: the latencies of their answers."""

    def visitor(index: int) -> List[float]:
        sender, latencies = f"bench-{round_name}-{index}-{uuid.uuid4().hex[:6]}", []
        for i in range(FLOOD_MESSAGES_EACH):
            status, ms, answer = _post_from(
                port, f"127.0.0.{10 + index}", sender, OUR_QUESTIONS[(index + i) % len(OUR_QUESTIONS)]
            )
            if status != 200 or not answer:
                raise RuntimeError(f"flood scenario: a visitor got HTTP {status} {answer!r}")
            latencies.append(ms)
        return latencies

    with ThreadPoolExecutor(max_workers=FLOOD_VISITORS) as pool:
        return [ms for latencies in pool.map(visitor, range(FLOOD_VISITORS)) for ms in latencies]


def flood(port: int) -> Dict[str, float]:
    """The 16 visitors' p99 alone and while one address floods (50 requests/s for 3 s, every 30th 1 MB),
    and one 1 MB message's latency (from 127.0.0.1: exempt, its own conversation)."""
    _, big_ms, _ = _post_from(
        port, "127.0.0.1", f"bench-big-{uuid.uuid4().hex[:8]}", "does it hurt? " + "a" * 1_000_000
    )
    quiet = _flood_visitors(port, "quiet")
    time.sleep(1)
    statuses: List[int] = []

    def attacker() -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = []
            for index in range(150):  # 50 a second for 3 seconds
                text = "a" * 1_000_000 if index % 30 == 0 else "hello"
                futures.append(pool.submit(_post_from, port, FLOOD_ADDRESS, "bench-attacker", text))
                time.sleep(0.02)
            statuses.extend(future.result()[0] for future in futures)

    flooding = threading.Thread(target=attacker)
    flooding.start()
    time.sleep(0.3)  # the flood is under way
    during = _flood_visitors(port, "during")
    flooding.join()
    figures = {
        "flood_quiet_p99_ms": _percentile(quiet, 0.99),
        "flood_during_p99_ms": _percentile(during, 0.99),
        "flood_quiet_p50_ms": _percentile(quiet, 0.50),
        "flood_during_p50_ms": _percentile(during, 0.50),
        "flood_refused": float(statuses.count(429)),
        "flood_requests": float(len(statuses)),
        "big_message_ms": big_ms,
    }
    figures["flood_p99_ratio"] = figures["flood_during_p99_ms"] / figures["flood_quiet_p99_ms"]
    progress(
        f"flood: 16 visitors' p99 {figures['flood_quiet_p99_ms']:.0f} ms alone, "
        f"{figures['flood_during_p99_ms']:.0f} ms during the flood: ratio {figures['flood_p99_ratio']:.2f} "
        f"(target <= 2; p50 {figures['flood_quiet_p50_ms']:.0f} / {figures['flood_during_p50_ms']:.0f} ms); "
        f"{statuses.count(429)} of {len(statuses)} flood requests refused with 429; "
        f"one 1 MB message answered in {big_ms:.0f} ms"
    )
    return figures


# --- processes ------------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory_mb(servers: Servers) -> Dict[str, float]:
    """Resident memory (MB) of the Rasa server and of the action server of ``servers``."""
    return {
        "rasa_rss_mb": sum(_rss_mb(pid) for pid in servers.pids(is_rasa_server)),
        "action_rss_mb": sum(_rss_mb(pid) for pid in servers.pids(is_action_server)),
    }


def launch(subject: Subject) -> Servers:
    """Start the subject's servers (bot.maintain.servers), output to its log folder; returns at once."""
    subject.logs.mkdir(parents=True, exist_ok=True)
    if subject.commands is None:
        return ServeScript(subject.env, subject.root, subject.logs / f"bench-{subject.name}-0.log").start()
    logs = [subject.logs / f"bench-{subject.name}-{index}.log" for index in range(len(subject.commands))]
    return launch_commands(subject.commands, subject.root, subject.env, logs)


def wait_for_first_answer(subject: Subject, servers: Servers, launched: float) -> float:
    """Seconds from ``launched`` until the subject answers its first question."""
    next_progress = launched + PROGRESS_EVERY_S
    while True:
        try:
            _post(subject.url, f"bench-cold-{uuid.uuid4().hex[:8]}", subject.first_question)
            return time.perf_counter() - launched
        except (HttpJsonError, NoAnswer):
            now = time.perf_counter()
            if not servers.alive() or now - launched > START_TIMEOUT_S:
                raise RuntimeError(f"{subject.name}: servers did not start; see {subject.logs}") from None
            if now >= next_progress:
                progress(f"{subject.name}: still starting ({now - launched:.0f} s)")
                next_progress += PROGRESS_EVERY_S
            time.sleep(0.2)


def _server_pids(servers: Servers) -> Dict[str, List[int]]:
    return {"rasa": servers.pids(is_rasa_server), "actions": servers.pids(is_action_server)}


def measure_serving(
    subject: Subject, messages_each: int, flat_messages: int = 0, with_flood: bool = False
) -> Dict[str, float]:
    """Launch the subject, measure cold start, latency, throughput and memory, stop it."""
    progress(f"{subject.name}: starting the servers on ports {subject.rasa_port}/{subject.action_port}")
    launched = time.perf_counter()
    servers = launch(subject)
    try:
        figures: Dict[str, float] = {"cold_start_s": wait_for_first_answer(subject, servers, launched)}
        progress(f"{subject.name}: first answer after {figures['cold_start_s']:.1f} s; warming up")
        load(subject.url, subject.questions, 4, 5)
        for prefix, visitors in (("one", 1), ("sixteen", 16)):
            progress(f"{subject.name}: {visitors} visitor(s) x {messages_each} messages")
            meter = CpuMeter(_server_pids(servers))
            for key, value in load(subject.url, subject.questions, visitors, messages_each).items():
                figures[f"{prefix}_{key}"] = value
        cpu = meter.per_message(int(figures["sixteen_messages"]), _server_pids(servers))
        figures.update({f"cpu_ms_{role}": value for role, value in cpu.items()})
        figures["msg_per_s_per_core"] = 1000.0 / sum(cpu.values())
        if flat_messages:
            progress(f"{subject.name}: flat cost, one conversation of {flat_messages} messages")
            flat = flat_cost(subject.url, subject.questions, flat_messages)
            progress(
                f"{subject.name}: p50 of messages 1-20 {flat['flat_first_p50_ms']:.1f} ms, of messages "
                f"{flat_messages - 19}-{flat_messages} {flat['flat_last_p50_ms']:.1f} ms: "
                f"ratio {flat['flat_cost_ratio']:.2f} (target <= 1.2)"
            )
            figures.update(flat)
        if with_flood:
            progress(f"{subject.name}: flood scenario (16 visitors alone, then during a flood from one address)")
            figures.update(flood(subject.rasa_port))
        figures.update(memory_mb(servers))
    finally:
        servers.stop()
    figures["model_size_mb"] = subject.model.stat().st_size / 1e6
    return figures


# --- training -------------------------------------------------------------------------------


def timed_run(command: List[str], cwd: Path, env: Dict[str, str], log: Path, label: str) -> float:
    """Run ``command`` to completion with a progress line every 15 s; its seconds. Fails loudly."""
    progress(f"{label}: started (log: {log})")
    started = time.perf_counter()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        while True:
            try:
                process.wait(timeout=PROGRESS_EVERY_S)
                break
            except subprocess.TimeoutExpired:
                progress(f"{label}: running ({time.perf_counter() - started:.0f} s)")
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{label} failed (exit {process.returncode}); see {log}")
    progress(f"{label}: done in {elapsed:.0f} s")
    return elapsed


def full_training_env(cache: Path) -> Dict[str, str]:
    """The environment for a training that reuses nothing: an empty cache, caching disabled."""
    return {**base_env(), "RASA_MAX_CACHE_SIZE": "0", "RASA_CACHE_DIRECTORY": str(cache)}


def train_ours(root: Path, work: Path) -> float:
    """Seconds for a full training of our assistant into ``work`` (never into models/)."""
    out = work / "ours-model"
    return timed_run(
        [str(RASA), "train", "--out", str(out), "--quiet"],
        root,
        full_training_env(work / "ours-cache"),
        work / "ours-train.log",
        "ours: training",
    )


# --- the two subjects -----------------------------------------------------------------------


def base_env() -> Dict[str, str]:
    """The common environment: this machine's, telemetry off. No PYTHONPATH: our packages are installed
    (make setup), and rasa puts the folder it runs in first on sys.path (the stock assistant's ``actions``)."""
    return process_environment(RASA_TELEMETRY_ENABLED="false")


def ours(root: Path, rasa_port: int, action_port: int) -> Subject:
    """Our assistant, served by scripts/serve.sh with its trained model ($MODEL as serve.sh reads it)."""
    env = {**base_env(), "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port)}
    model = load_settings().model_path
    return Subject(
        name="ours",
        root=root,
        rasa_port=rasa_port,
        action_port=action_port,
        first_question="hello",
        questions=OUR_QUESTIONS,
        model=model,
        env=env,
        commands=None,
        logs=root / "var" / "logs",
    )


def prepare_stock(folder: Path) -> Optional[float]:
    """Create and train the ``rasa init`` assistant in ``folder``; the seconds it took.

    An already trained folder is reused (returns None: no training time measured).
    """
    if list(folder.glob("models/*.tar.gz")):
        progress(f"stock: reusing the trained assistant in {folder}")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return timed_run(
        [str(RASA), "init", "--no-prompt", "--init-dir", str(folder)],
        folder,
        full_training_env(folder / ".rasa" / "cache"),
        folder.parent / f"{folder.name}-init.log",
        "stock: rasa init (with training)",
    )


def stock(folder: Path, rasa_port: int, action_port: int, training_s: Optional[float]) -> Subject:
    """The trained ``rasa init`` assistant in ``folder``, with an endpoints file for our ports."""
    endpoints = write_endpoints(folder / "bench-endpoints.yml", load_settings({"ACTION_PORT": str(action_port)}))
    model = max(folder.glob("models/*.tar.gz"), key=lambda path: path.stat().st_mtime)
    commands = [
        [str(RASA), "run", "actions", "--port", str(action_port)],
        [
            str(RASA),
            "run",
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
        ],
    ]
    return Subject(
        name="stock",
        root=folder,
        rasa_port=rasa_port,
        action_port=action_port,
        first_question=STOCK_QUESTIONS[0],
        questions=STOCK_QUESTIONS,
        model=model,
        env=base_env(),
        commands=commands,
        logs=folder / "logs",
        training_s=training_s,
    )


# --- report ---------------------------------------------------------------------------------


def _met(value: Optional[float], target: Target) -> str:
    if target is None or value is None:
        return ""
    comparison, bound = target
    ok = value <= bound if comparison == "<=" else value >= bound
    return "met" if ok else "NOT met"


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns aligned: the first to the left, the others to the right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells).rstrip())


def _ratio(mine: Optional[float], theirs: Optional[float]) -> Optional[float]:
    return mine / theirs if mine is not None and theirs else None


def _fmt(value: Optional[float], unit: str) -> str:
    if value is None:
        return "-"
    return (
        f"{value:.2f} {unit}"
        if abs(value) < 10
        else f"{value:.1f} {unit}"
        if abs(value) < 1000
        else f"{value:.0f} {unit}"
    )


def report(figures: Dict[str, Dict[str, float]]) -> Dict[str, object]:
    """Ratios ours/stock and targets met (on our figures and on the ratios) for every metric; prints
    the table, returns the JSON."""
    mine, theirs = figures.get("ours", {}), figures.get("stock", {})
    rows, ratios, targets = [], {}, {}
    for key, label, unit, target in METRICS:
        ratio = _ratio(mine.get(key), theirs.get(key))
        ratios[key] = ratio
        if target is not None:
            targets[key] = {
                "target": f"{target[0]} {target[1]:g} {unit}",
                "value": mine.get(key),
                "met": _met(mine.get(key), target) == "met",
            }
        ratio_target = RATIO_TARGETS.get(key)
        if ratio_target is not None:
            targets[f"{key}_vs_stock"] = {
                "target": f"ours/stock {ratio_target[0]} {ratio_target[1]:g}",
                "value": ratio,
                "met": _met(ratio, ratio_target) == "met",
            }
        rows.append(
            (
                label,
                _fmt(mine.get(key), unit),
                _fmt(theirs.get(key), unit),
                "-" if ratio is None else f"{ratio:.2f}x",
                f"{target[0]} {target[1]:g} {unit}" if target else "",
                _met(mine.get(key), target),
                f"{ratio_target[0]} {ratio_target[1]:g}x" if ratio_target else "",
                _met(ratio, ratio_target),
            )
        )
    _print_table(("metric", "ours", "stock", "ours/stock", "target", "", "vs stock", ""), rows)
    for name, values in figures.items():
        empty = values.get("one_empty_answers", 0) + values.get("sixteen_empty_answers", 0)
        if empty:
            print(f"note: {name} gave {empty:.0f} empty answers (counted in the latencies)")
    return {"ours": mine, "stock": theirs, "ratios_ours_over_stock": ratios, "targets": targets}


def report_cluster(cluster: Dict[int, Dict[str, float]]) -> None:
    """The production layout's table: one row per replica count."""
    if not cluster:
        return
    print("\nThe cluster (deploy/cluster.sh: nginx, PostgreSQL, Redis), REST through nginx; CPU per message")
    print("over the 16-visitor phase; msg/s per core = 1000 / the CPU milliseconds of all its processes:")
    rows = []
    for replicas, figures in sorted(cluster.items()):
        latencies = " / ".join(f"{figures[f'sixteen_{p}_ms']:.0f}" for p in ("p50", "p95", "p99"))
        rows.append(
            (
                str(replicas),
                _fmt(figures["one_p50_ms"], "ms"),
                _fmt(figures["one_msg_per_s"], ""),
                _fmt(figures["sixteen_msg_per_s"], ""),
                f"{latencies} ms",
                *(f"{figures[f'cpu_ms_{role}']:.2f}" for role in SERVER_ROLES),
                f"{figures['msg_per_s_per_core']:.0f}",
            )
        )
    header = ("replicas", "1 visitor p50", "msg/s", "16 visitors msg/s", "p50 / p95 / p99")
    _print_table((*header, *(f"CPU ms {role}" for role in SERVER_ROLES), "msg/s per core"), rows)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bot benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=25, help="messages per visitor (default 25)")
    parser.add_argument(
        "--flat-messages",
        type=int,
        default=400,
        help="messages of the one long conversation of the flat-cost check, ours only (default 400; 0: skip)",
    )
    parser.add_argument(
        "--cluster-replicas",
        default="1,2",
        help="replica counts of the cluster to measure, comma-separated (default 1,2; empty: skip the cluster)",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="our project to measure (default: this one)")
    parser.add_argument("--rasa-port", type=int, default=5305)
    parser.add_argument("--action-port", type=int, default=5355)
    parser.add_argument("--stock-rasa-port", type=int, default=5405)
    parser.add_argument("--stock-action-port", type=int, default=5455)
    parser.add_argument(
        "--stock-dir",
        type=Path,
        help="where to create the stock assistant (reused when already trained, "
        "then without training time); default: a temporary folder, removed afterwards",
    )
    parser.add_argument("--skip-stock", action="store_true", help="measure ours only (no ratios)")
    parser.add_argument("--skip-training", action="store_true", help="do not time our training")
    parser.add_argument(
        "--skip-flood",
        action="store_true",
        help="leave out the flood scenario (16 visitors alone and during a flood from one address)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmark.json")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    root = args.root.resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    figures: Dict[str, Dict[str, float]] = {}
    cluster: Dict[int, Dict[str, float]] = {}
    try:
        subjects = []
        if not args.skip_stock:
            folder = (args.stock_dir or work / "stock").resolve()
            training_s = prepare_stock(folder)
            subjects.append(stock(folder, args.stock_rasa_port, args.stock_action_port, training_s))
        subjects.insert(0, ours(root, args.rasa_port, args.action_port))
        for subject in subjects:
            figures[subject.name] = measure_serving(
                subject,
                args.messages,
                args.flat_messages if subject.name == "ours" else 0,
                with_flood=subject.name == "ours" and not args.skip_flood,
            )
            if subject.training_s is not None:
                figures[subject.name]["training_s"] = subject.training_s
        for replicas in [int(count) for count in args.cluster_replicas.split(",") if count.strip()]:
            try:
                cluster[replicas] = measure_cluster(replicas, OUR_QUESTIONS, args.messages, load, progress)
            except ClusterDidNotStart as error:  # e.g. no nginx or supervisord: make cluster-tools
                progress(f"cluster, {replicas} replica(s): not measured: {error}")
        if not args.skip_training:
            figures["ours"]["training_s"] = train_ours(root, work)
    except BaseException:
        print(f"Kept {work} (logs, stock assistant) for inspection.", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    result = {"root": str(root), "messages_per_visitor": args.messages, **report(figures), "cluster": cluster}
    report_cluster(cluster)
    print(f"Load average (uptime) after the run: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
