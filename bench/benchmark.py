"""Benchmark the running assistant on this machine: ``python -m bench.benchmark``.

Starts the real servers (scripts/serve.sh), then measures cold start (launch to first answer),
REST latency p50/p95/p99 at 1 and 16 concurrent visitors with the action server and the
knowledge base in the loop, throughput, resident memory of both servers, and the model's size
and training time. Prints a table and writes JSON. Figures, not pass/fail: compare ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "what is mesotherapy", "does it hurt", "can it help with hair loss?", "is it safe",
    "how long do results last", "what's in the cocktail", "who should do it", "how much does it cost",
]


def _post(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        if not json.loads(response.read()):
            raise RuntimeError(f"no answer to {text!r}")
    return (time.perf_counter() - started) * 1000


def _percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _load(url: str, visitors: int, messages_each: int) -> Dict[str, float]:
    def visitor(index: int) -> List[float]:
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        return [_post(url, sender, QUESTIONS[(index + i) % len(QUESTIONS)]) for i in range(messages_each)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=visitors) as pool:
        latencies = [ms for result in pool.map(visitor, range(visitors)) for ms in result]
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": _percentile(latencies, 0.50), "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99), "mean_ms": statistics.mean(latencies),
        "messages_per_s": len(latencies) / elapsed, "messages": len(latencies),
    }


def _rss_mb(pattern: str) -> float:
    """Resident memory (MB) of the processes whose command line contains ``pattern``."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if pattern in cmdline and "benchmark" not in cmdline:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run(rasa_port: int, action_port: int, messages_each: int) -> Dict[str, object]:
    """Start the servers, measure, stop them; return the figures."""
    env = {**os.environ, "SERVE_ONLY": "1", "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port)}
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    launched = time.perf_counter()
    server = subprocess.Popen([str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                _post(url, "bench-cold", "hello")
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - launched > 300:
                    raise RuntimeError("servers did not start; see var/logs/")
                time.sleep(0.2)
        cold_start = time.perf_counter() - launched
        _load(url, 4, 5)  # warm-up
        results = {
            "cold_start_s": cold_start,
            "one_visitor": _load(url, 1, messages_each),
            "sixteen_visitors": _load(url, 16, messages_each),
            "rasa_rss_mb": _rss_mb("bin/rasa run"),
            "action_server_rss_mb": _rss_mb("-m rasa_sdk"),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    model = ROOT / "models" / "mesotherapy.tar.gz"
    results["model_size_mb"] = model.stat().st_size / 1e6
    return results


def measure_training() -> float:
    """Seconds for a full training from scratch (cache disabled) into a temporary folder."""
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "train", "--out", "/tmp/bench-model", "--quiet"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.benchmark", description=__doc__)
    parser.add_argument("--messages", type=int, default=25, help="messages per visitor")
    parser.add_argument("--rasa-port", type=int, default=5305)
    parser.add_argument("--action-port", type=int, default=5355)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmark.json")
    args = parser.parse_args()
    results = run(args.rasa_port, args.action_port, args.messages)
    if not args.skip_training:
        results["training_s"] = measure_training()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    one, many = results["one_visitor"], results["sixteen_visitors"]
    rows = [
        ("cold start (launch to first answer)", f"{results['cold_start_s']:.1f} s", "<= 15 s"),
        ("latency p50, 1 visitor", f"{one['p50_ms']:.1f} ms", "<= 20 ms"),
        ("latency p95 / p99, 1 visitor", f"{one['p95_ms']:.1f} / {one['p99_ms']:.1f} ms", ""),
        ("latency p50 / p95, 16 visitors", f"{many['p50_ms']:.1f} / {many['p95_ms']:.1f} ms", ""),
        ("latency p99, 16 visitors", f"{many['p99_ms']:.1f} ms", "<= 100 ms"),
        ("throughput, 16 visitors", f"{many['messages_per_s']:.1f} msg/s", ">= 100 msg/s"),
        ("Rasa server resident memory", f"{results['rasa_rss_mb']:.0f} MB", "<= 700 MB"),
        ("action server resident memory", f"{results['action_server_rss_mb']:.0f} MB", ""),
        ("model size", f"{results['model_size_mb']:.2f} MB", ""),
    ]
    if "training_s" in results:
        rows.append(("full training", f"{results['training_s']:.0f} s", "<= 120 s"))
    for name, value, target in rows:
        print(f"{name:40} {value:>18}   {target}")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
