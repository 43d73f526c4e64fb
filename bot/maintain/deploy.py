"""Deploy a trained model to the running Rasa server without restarting it.

The model is copied under ``models/live/`` with its checksum in the name (so a later training
cannot change what is live), then loaded with Rasa's ``PUT /model`` behind the API token. Rasa
builds the new agent next to the old one and swaps them; conversations live in the tracker store,
so they go on with the new model. The live model and its evaluation report are recorded in
``models/live/current.json`` and ``models/live/evaluation/`` (what ``make evaluate`` compares
new models with). The last few live models are kept for a rollback.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from bot.http_json import HttpJsonError, request_json
from bot.maintain.evaluation.report import SUMMARY_FILE, sha256

KEEP_LIVE_MODELS = 3


class DeployError(RuntimeError):
    """The model could not be deployed; the server keeps the model it had."""


@dataclass
class Deployment:
    """What was deployed, and how long the server took to switch."""

    model: str
    sha256: str
    deployed_at: str
    switch_seconds: float
    evaluation: Optional[str]  # the report folder recorded with it, if it was evaluated


def _call(method: str, url: str, token: str, body: Optional[Dict[str, Any]] = None, timeout: float = 600) -> Any:
    separator = "&" if "?" in url else "?"
    try:
        return request_json(
            method, f"{url}{separator}{urllib.parse.urlencode({'token': token})}", body, timeout=timeout
        ).json()
    except HttpJsonError as error:
        if error.status is None:
            raise DeployError(f"the Rasa server at {url} cannot be reached: {error.detail}") from error
        raise DeployError(f"{method} {url} answered {error.status}: {error.detail}") from error


def _record_evaluation(report_dir: Path, checksum: str, live_dir: Path) -> Optional[str]:
    """Copy the evaluation report of this very model (same checksum) next to the live model."""
    summary = report_dir / SUMMARY_FILE
    if not summary.exists():
        return None
    evaluated = json.loads(summary.read_text(encoding="utf-8"))
    if (evaluated.get("model") or {}).get("sha256") != checksum:
        return None
    target = live_dir / "evaluation"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(report_dir, target)
    return str(target)


def _prune(models_dir: Path, keep: Path) -> None:
    """Keep the newest live models (for a rollback), delete older ones."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in models[KEEP_LIVE_MODELS:]:
        if old != keep:
            old.unlink()


def deploy(model: Path, server_url: str, token: str, live_dir: Path, report_dir: Path) -> Deployment:
    """Load ``model`` into the server at ``server_url`` and record it as the live model."""
    if not model.is_file():
        raise DeployError(f"no model at {model}: train one first (make train)")
    checksum = sha256(model)
    models_dir = live_dir / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    live_model = models_dir / f"mesotherapy-{checksum[:12]}.tar.gz"
    if not live_model.exists():
        shutil.copy2(model, live_model.with_suffix(".part"))
        live_model.with_suffix(".part").rename(live_model)
    live_model.touch()
    started = time.perf_counter()
    _call("PUT", f"{server_url}/model", token, {"model_file": str(live_model.resolve())})
    switch_seconds = time.perf_counter() - started
    status = _call("GET", f"{server_url}/status", token, timeout=30)
    if Path(str(status.get("model_file", ""))).name != live_model.name:
        raise DeployError(f"the server reports model {status.get('model_file')!r}, not {live_model.name}")
    deployment = Deployment(
        str(live_model),
        checksum,
        datetime.now(timezone.utc).isoformat(timespec="seconds"),
        round(switch_seconds, 2),
        _record_evaluation(report_dir, checksum, live_dir),
    )
    (live_dir / "current.json").write_text(json.dumps(asdict(deployment), indent=2) + "\n", encoding="utf-8")
    _prune(models_dir, live_model)
    return deployment
