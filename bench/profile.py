"""Profile the Rasa server and the action server under load: ``python -m bot profile``.

Starts our servers as the benchmark does (ports 5305/5355), keeps ``--visitors`` concurrent
conversations going, samples both servers with py-spy (no code change, ``--rate`` Hz) and writes
their collapsed stacks to ``reports/profile/{rasa,action}-server.collapsed.txt`` (open them in
https://www.speedscope.app or any flame-graph tool), then prints the functions with the largest
share of the Rasa server's samples (inclusive: a function and what it calls).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bench.benchmark import ROOT, launch, load, ours, progress, wait_for_first_answer
from bot.maintain.servers import is_action_server, is_rasa_server

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
OUT = ROOT / "reports" / "profile"
_LINE_NUMBER = re.compile(r":\d+\)")


def record(pid: int, target: Path, seconds: int, rate: int) -> subprocess.Popen:
    """Sample ``pid`` with py-spy for ``seconds`` into ``target`` (collapsed stacks)."""
    return subprocess.Popen(
        [
            str(PY_SPY),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "-o",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def inclusive_shares(collapsed: Path, top: int) -> List[Tuple[float, str]]:
    """(share of samples, function) of the ``top`` functions by inclusive samples."""
    totals: Dict[str, int] = collections.Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples += int(count)
        for frame in {_LINE_NUMBER.sub(")", frame) for frame in stack.split(";")}:
            totals[frame] += int(count)
    return [(count / samples, frame) for frame, count in totals.most_common(top)]


def main(argv: Optional[List[str]] = None) -> int:
    """Profile under load and print the largest shares."""
    parser = argparse.ArgumentParser(prog="python -m bot profile", description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    subject = ours(ROOT, 5305, 5355)
    servers = launch(subject)
    try:
        wait_for_first_answer(subject, servers, launched=time.perf_counter())
        rasa, action = servers.pids(is_rasa_server)[0], servers.pids(is_action_server)[0]
        messages_each = max(10, args.seconds * 6)  # at ~80 msg/s: busy a little longer than the sampling
        visitors = threading.Thread(target=load, args=(subject.url, subject.questions, args.visitors, messages_each))
        visitors.start()
        progress(
            f"sampling the Rasa server ({rasa}) and the action server ({action}) for {args.seconds} s "
            f"under {args.visitors} visitors"
        )
        samplers = [
            record(rasa, OUT / "rasa-server.collapsed.txt", args.seconds, args.rate),
            record(action, OUT / "action-server.collapsed.txt", args.seconds, args.rate),
        ]
        for sampler in samplers:
            sampler.wait()
        visitors.join()
    finally:
        servers.stop()
    progress(f"profiles in {OUT}; largest inclusive shares of the Rasa server's samples (below the request handler):")
    for share, frame in inclusive_shares(OUT / "rasa-server.collapsed.txt", args.top):
        if share < 0.95:  # above that: the server's loop and request handling, common to all
            print(f"{share * 100:5.1f}%  {frame[:130]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
