"""Start the real servers for the tests, the benchmark and the profiler, and stop them after.

``ServeScript`` runs ``scripts/serve.sh`` as ``make run`` does, with ``SERVE_ONLY=1`` and the
environment it is given (ports, endpoints, channels...), waits for its "Ready." line and stops
its whole process group; ``serving`` does all three around a block. ``launch_commands`` starts other
commands the same way (the benchmark's stock Rasa). Never imported by the servers themselves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, TextIO, Tuple

from bot.settings import PROJECT_ROOT

READY = "Ready."
STOP_GRACE_S = 60.0


class ServersDidNotStart(RuntimeError):
    """scripts/serve.sh ended before it was ready; the message holds its output."""


class Servers:
    """Server processes, each the leader of its own session (process group)."""

    def __init__(self) -> None:
        self.processes: List[subprocess.Popen] = []

    def alive(self) -> bool:
        """True while every launched process still runs."""
        return bool(self.processes) and all(process.poll() is None for process in self.processes)

    def pids(self, role: Callable[[str], bool]) -> List[int]:
        """The processes started from ours whose command line has ``role`` (e.g. :func:`is_rasa_server`)."""
        found = descendants([process.pid for process in self.processes])
        return sorted(pid for pid, cmdline in found.items() if role(cmdline))

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM every process group, then SIGKILL what is left after ``grace`` seconds."""
        for process in self.processes:
            _signal_group(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes = []


class ServeScript(Servers):
    """``scripts/serve.sh`` (SERVE_ONLY=1) with ``env``, in the project ``root``; its output is kept
    (and written to ``log`` when given)."""

    def __init__(self, env: Mapping[str, str], root: Path = PROJECT_ROOT, log: Optional[Path] = None) -> None:
        super().__init__()
        self.env = {**env, "SERVE_ONLY": "1"}
        self.root = root
        self.log = log
        self.output: List[str] = []
        self._settled = threading.Event()  # "Ready." printed, or the output ended
        self._ready = False

    def start(self) -> "ServeScript":
        """Launch the script; returns at once (see :meth:`wait_until_ready`)."""
        self.output, self._ready = [], False
        self._settled.clear()
        process = subprocess.Popen(
            [str(self.root / "scripts" / "serve.sh")],
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes = [process]
        log = open(self.log, "w", encoding="utf-8") if self.log else None  # noqa: SIM115 (the reader closes it)
        threading.Thread(target=self._read, args=(process.stdout, log), daemon=True).start()
        return self

    def _read(self, stdout: TextIO, log: Optional[TextIO]) -> None:
        """Keep the output (so the pipe never fills) and notice the "Ready." line."""
        try:
            for line in stdout:
                self.output.append(line)
                if log:
                    log.write(line)
                    log.flush()
                if line.startswith(READY):
                    self._ready = True
                    self._settled.set()
        finally:
            if log:
                log.close()
            self._settled.set()

    def wait_until_ready(self, timeout: Optional[float] = None) -> "ServeScript":
        """Block until the script printed "Ready."; :class:`ServersDidNotStart` when it ended first."""
        self._settled.wait(timeout)
        if not self._ready:
            raise ServersDidNotStart("servers did not start:\n" + "".join(self.output))
        return self

    def kill_rasa_server(self) -> None:
        """SIGKILL the Rasa server alone (a crash); serve.sh then stops the action server and exits."""
        rasa = self.pids(is_rasa_server)
        if not rasa:
            raise RuntimeError(f"no Rasa server among {descendants([p.pid for p in self.processes])}")
        for pid in rasa:
            os.kill(pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=STOP_GRACE_S)
        self.processes = []


@contextlib.contextmanager
def serving(env: Mapping[str, str], root: Path = PROJECT_ROOT) -> Iterator[ServeScript]:
    """scripts/serve.sh with ``env``, from "Ready." to the end of the block; stopped after."""
    servers = ServeScript(env, root).start()
    try:
        yield servers.wait_until_ready()
    finally:
        servers.stop()


def launch_commands(
    commands: Sequence[Sequence[str]], cwd: Path, env: Mapping[str, str], logs: Sequence[Path]
) -> Servers:
    """Start each command in its own session, its output to the matching log file."""
    servers = Servers()
    for command, log_path in zip(commands, logs, strict=True):
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            servers.processes.append(
                subprocess.Popen(
                    list(command),
                    cwd=cwd,
                    env=dict(env),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return servers


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


# --- the process table ----------------------------------------------------------------------


def _process_table() -> Dict[int, Tuple[int, str]]:
    """pid -> (parent pid, command line) of every process."""
    table = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            table[int(proc.name)] = (parent, (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return table


def descendants(roots: Sequence[int]) -> Dict[int, str]:
    """The processes started from ``roots`` (themselves included): pid -> command line."""
    table, found, todo = _process_table(), {}, list(roots)
    while todo:
        pid = todo.pop()
        if pid in table and pid not in found:
            found[pid] = table[pid][1]
            todo.extend(child for child, (parent, _) in table.items() if parent == pid)
    return found


def is_action_server(cmdline: str) -> bool:
    """The command line of an action server (ours: ``-m actions.server``; stock: ``rasa run actions``)."""
    return "actions.server" in cmdline or "rasa_sdk" in cmdline or " run actions" in cmdline


def is_rasa_server(cmdline: str) -> bool:
    """The command line of a Rasa server (ours: ``-m connectors.server``; stock: ``rasa run``)."""
    return ("connectors.server" in cmdline or "rasa run" in cmdline) and not is_action_server(cmdline)


def kill_action_server(servers: Servers) -> None:
    """SIGKILL the action server alone (a crash); the Rasa server goes on without it."""
    pids = servers.pids(is_action_server)
    if not pids:
        raise RuntimeError("no action server among the servers' processes")
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m bot with-servers [--conversations DB] -- COMMAND...``: run COMMAND while the servers
    are up (ports from the settings: RASA_PORT, ACTION_PORT), then stop them; COMMAND's exit code."""
    import argparse
    import sys

    from bot.maintain.endpoints import write_endpoints
    from bot.settings import load_settings, process_environment

    parser = argparse.ArgumentParser(prog="python -m bot with-servers", description=main.__doc__)
    parser.add_argument(
        "--conversations",
        type=Path,
        help="keep these servers' conversations in this SQLite file (not the store of `make run`)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run is required")
    env = process_environment()
    settings = load_settings(env)
    if args.conversations:
        args.conversations.parent.mkdir(parents=True, exist_ok=True)
        endpoints = args.conversations.with_suffix(".endpoints.yml")
        env["ENDPOINTS"] = str(write_endpoints(endpoints, settings, f"sqlite:///{args.conversations.resolve()}"))
    log = settings.var_dir / "logs" / f"servers{settings.instance_suffix}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"Starting the servers on ports {settings.rasa_port} and {settings.action_port} (log: {log})...", flush=True)
    servers = ServeScript(env, log=log).start()
    try:
        servers.wait_until_ready(timeout=420)
        return subprocess.run(command, env=env).returncode
    except ServersDidNotStart as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        servers.stop()
