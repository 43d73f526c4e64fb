"""Run the Rasa test commands of an evaluation, one step at a time, with progress and timing."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

from bot.maintain.endpoints import write_endpoints
from bot.settings import PROJECT_ROOT, load_settings, process_environment

RASA = str(Path(sys.executable).with_name("rasa"))
WITH_ACTION_SERVER = str(PROJECT_ROOT / "scripts" / "with-action-server.sh")
LOG_TAIL_LINES = 30


class StepFailed(Exception):
    """A Rasa command exited with an error."""


@dataclass(frozen=True)
class Step:
    """One command of the evaluation and what to tell the user about it."""

    title: str
    estimate: str
    command: List[str]
    log: Path


def _environment(action_port: int) -> dict:
    env = process_environment(RASA_TELEMETRY_ENABLED="false", ACTION_PORT=str(action_port))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONWARNINGS", "ignore")  # hide the libraries' deprecation noise
    return env


def run_step(step: Step, number: str, quiet: bool, action_port: int) -> float:
    """Run ``step`` from the project root, logging its output; return the seconds it took.

    The output always goes to ``step.log``; it is also shown unless ``quiet``. On failure the
    last lines of the log are printed and :class:`StepFailed` is raised.
    """
    print(f"[{number}] {step.title} (takes {step.estimate})...", flush=True)
    step.log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with (
        step.log.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            step.command,
            cwd=PROJECT_ROOT,
            env=_environment(action_port),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if not quiet:
                print(line, end="", flush=True)
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        tail = step.log.read_text(encoding="utf-8").splitlines()[-LOG_TAIL_LINES:]
        print("\n".join(tail), file=sys.stderr)
        raise StepFailed(f"{step.title} failed (exit code {process.returncode}); full log: {step.log}")
    print(f"[{number}] done in {elapsed:.0f} s", flush=True)
    return elapsed


def heldout_step(model: Path, holdout: Path, out_dir: Path) -> Step:
    """``rasa test nlu`` of the model on the held-out examples."""
    return Step(
        title=f"Held-out NLU test of {model.name} on {holdout.name}",
        estimate="about 20 s",
        command=[RASA, "test", "nlu", "--model", str(model), "--nlu", str(holdout), "--out", str(out_dir)],
        log=out_dir / "rasa.log",
    )


def kfold_step(data: Path, config: Path, folds: int, out_dir: Path) -> Step:
    """``rasa test nlu --cross-validation``: trains one model per fold on the training data."""
    return Step(
        title=f"{folds}-fold cross-validation on {data.name}/ with {config.name}",
        estimate=f"about {folds * 30} s, one training per fold",
        command=[
            RASA,
            "test",
            "nlu",
            "--nlu",
            str(data),
            "--config",
            str(config),
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out_dir),
        ],
        log=out_dir / "rasa.log",
    )


def conversations_step(model: Path, stories: Path, out_dir: Path, action_port: int) -> Step:
    """``rasa test core --e2e`` on the conversation tests (intent and entities of each message, then the
    action), with the action server up on ``action_port``."""
    # Rasa calls the action server the step starts: the one of the step's own environment.
    endpoints = write_endpoints(out_dir / "endpoints.yml", load_settings(_environment(action_port)))
    return Step(
        title=f"Conversation tests {stories.name}/ with the action server on port {action_port}",
        estimate="about 35 s",
        command=[
            WITH_ACTION_SERVER,
            RASA,
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(stories),
            "--e2e",
            "--endpoints",
            str(endpoints),
            "--out",
            str(out_dir),
        ],
        log=out_dir / "rasa.log",
    )
