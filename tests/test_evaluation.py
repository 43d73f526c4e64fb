"""The maintainers' evaluation: a damaged model fails the regression check, the report folder is complete.

The end-to-end tests run the real command (``python -m bot evaluate``) on the shipped
model and on a model trained from a deliberately damaged copy of the training data (about
1.5 minutes in all); the unit tests cover the comparison, reading Rasa's files and the report.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.cli import main
from bot.maintain.evaluation import results
from bot.maintain.evaluation.compare import compare, format_comparison, regression_message
from bot.maintain.evaluation.report import intent_table, write_report
from bot.settings import PROJECT_ROOT, load_settings

DEFAULT_FLOOR = load_settings().intent_f1_floor
REAL_MODEL = load_settings().model_path
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Most examples of these intents are relabelled as the neighbouring intent: the damaged model
# answers a safety question as contraindications, a price question as session count, a greeting as goodbye.
DAMAGE = {"ask_safety": "ask_contraindications", "ask_price": "ask_session_count", "greet": "goodbye"}
KEPT_EXAMPLES = 3
TWO_AND_A_HALF_POINTS = "REGRESSION: held-out intent F1 dropped from 0.925 to 0.900 (-2.5 points, limit 2)"


def _environment() -> Dict[str, str]:
    return dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="3")


def _run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=PROJECT_ROOT, env=_environment(), capture_output=True, text=True,
                          timeout=timeout)


def _evaluate(model: Path, out: Path, live: Path) -> subprocess.CompletedProcess:
    """The held-out part of the real command (no k-fold, no conversation tests)."""
    return _run(sys.executable, "-m", "bot", "evaluate", "--model", str(model), "--out", str(out),
                "--live", str(live), "--folds", "0", "--skip-conversations", "--quiet")


def _examples(block: str) -> List[str]:
    return [line for line in block.splitlines() if line.strip()]


def _damage(data_dir: Path) -> None:
    """Move all but a few examples of each intent in DAMAGE (from every file) to its neighbouring intent."""
    files = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in (data_dir / "nlu").glob("*.yml")}
    blocks = [block for content in files.values() for block in content.get("nlu", []) if "intent" in block]
    for source, target in DAMAGE.items():
        moved, kept = [], 0
        for block in (block for block in blocks if block["intent"] == source):
            examples = _examples(block["examples"])
            keep = examples[:max(0, KEPT_EXAMPLES - kept)]
            kept += len(keep)
            moved += examples[len(keep):]
            block["examples"] = "\n".join(keep) + "\n"
        into = next(block for block in blocks if block["intent"] == target)
        into["examples"] = "\n".join(_examples(into["examples"]) + moved) + "\n"
    for path, content in files.items():
        content["nlu"] = [block for block in content.get("nlu", []) if block.get("examples", "x").strip()]
        path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def real_model() -> Path:
    if not REAL_MODEL.is_file():
        pytest.skip("no trained model at models/mesotherapy.tar.gz (make train)")
    return REAL_MODEL


@pytest.fixture(scope="module")
def real_evaluation(real_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real model evaluated on the held-out set, with no live report to compare with."""
    out = tmp_path_factory.mktemp("real") / "evaluation"
    run = _evaluate(real_model, out, out.parent / "no-live-summary.json")
    assert run.returncode == 0, run.stdout + run.stderr
    return out, run


@pytest.fixture(scope="module")
def damaged_model(real_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NLU model trained (into a temporary folder) on a damaged copy of the training data."""
    copy = tmp_path_factory.mktemp("damaged")
    shutil.copytree(PROJECT_ROOT / "data", copy / "data")
    for name in ("config.yml", "domain.yml"):
        shutil.copyfile(PROJECT_ROOT / name, copy / name)
    _damage(copy / "data")
    training = _run(str(Path(sys.executable).with_name("rasa")), "train", "nlu", "--config", str(copy / "config.yml"),
                    "--nlu", str(copy / "data"), "--domain", str(copy / "domain.yml"), "--out", str(copy / "models"),
                    "--fixed-model-name", "damaged", "--quiet", timeout=600)
    assert training.returncode == 0, training.stdout[-3000:] + training.stderr[-3000:]
    return copy / "models" / "damaged.tar.gz"


@pytest.fixture(scope="module")
def damaged_evaluation(damaged_model: Path, real_evaluation, tmp_path_factory: pytest.TempPathFactory):
    """The damaged model evaluated against the real model's summary as the live report."""
    real_out, _ = real_evaluation
    out = tmp_path_factory.mktemp("damaged-report") / "evaluation"
    return out, _evaluate(damaged_model, out, real_out / "summary.json")


@pytest.mark.servers
@pytest.mark.slow
def test_damaged_model_fails_loudly_with_the_regression(damaged_evaluation, real_evaluation) -> None:
    out, run = damaged_evaluation
    real = json.loads((real_evaluation[0] / "summary.json").read_text())
    damaged = json.loads((out / "summary.json").read_text())
    live_f1, new_f1 = real["heldout"]["macro_f1"], damaged["heldout"]["macro_f1"]
    assert live_f1 - new_f1 > 0.05  # the damage is well over the 2-point limit
    assert run.returncode == 1
    expected = (f"REGRESSION: held-out intent F1 dropped from {live_f1:.3f} to {new_f1:.3f} "
                f"(-{(live_f1 - new_f1) * 100:.1f} points, limit 2)")
    assert expected in run.stderr
    assert expected in damaged["problems"]
    assert "Evaluation FAILED." in run.stdout
    # the damaged intents are among the biggest per-intent drops
    drops = [line.split()[0] for line in run.stdout.split("biggest drops first):")[1].strip().splitlines()[:6]]
    assert set(DAMAGE) <= set(drops)


@pytest.mark.servers
@pytest.mark.slow
def test_damaged_report_folder_has_table_picture_and_misclassified_examples(damaged_evaluation) -> None:
    out, _ = damaged_evaluation
    report = (out / "report.md").read_text()
    assert "- verdict: **FAILED**" in report
    assert "| intent | precision | recall | F1 | support |" in report
    assert (out / "heldout_confusion_matrix.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "![heldout_confusion_matrix.png](heldout_confusion_matrix.png)" in report
    misclassified = report.split("## Misclassified held-out examples")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in misclassified.splitlines() if line.startswith("| ") and "---" not in line]
    expected_predicted = {(row[1], row[2]) for row in rows[1:]}
    for source, target in DAMAGE.items():
        assert (source, target) in expected_predicted, f"no {source} example misclassified as {target}"
    assert "not run (`--skip-conversations`)" in report


@pytest.mark.servers
@pytest.mark.slow
def test_real_model_passes_against_its_own_summary(real_model: Path, real_evaluation, tmp_path: Path) -> None:
    first_out, first_run = real_evaluation
    assert "No live report at" in first_run.stdout and "Evaluation passed." in first_run.stdout
    run = _evaluate(real_model, tmp_path / "again", first_out / "summary.json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "REGRESSION" not in run.stdout + run.stderr
    assert "per-intent held-out F1: no change" in run.stdout
    assert "(the new model is the live model: same sha256)" in run.stdout
    summary = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert summary["model"]["path"] == "models/mesotherapy.tar.gz" and len(summary["model"]["sha256"]) == 64
    assert summary["heldout"]["macro_f1"] >= DEFAULT_FLOOR and summary["problems"] == []


# --- unit level: the comparison ---------------------------------------------------------------

def _summary(macro_f1: float, intents: Dict[str, float], sha: str = "a" * 64) -> Dict[str, Any]:
    return {
        "model": {"path": "models/x.tar.gz", "sha256": sha},
        "heldout": {"macro_f1": macro_f1, "accuracy": 0.9, "weighted_f1": 0.9,
                    "intents": {name: {"f1": f1} for name, f1 in intents.items()}},
        "kfold": None, "conversations": None,
    }


@pytest.mark.parametrize("new_f1, fails", [(0.900, True), (0.910, False), (0.905, False), (0.950, False)])
def test_compare_fails_only_beyond_two_points(new_f1: float, fails: bool) -> None:
    comparison = compare(_summary(new_f1, {}, "b" * 64), _summary(0.925, {}))
    assert (comparison.regression is not None) is fails
    if fails:
        assert comparison.regression == TWO_AND_A_HALF_POINTS


def test_regression_limit_is_configurable() -> None:
    assert regression_message(0.95, 0.94, max_drop=0.005) is not None
    assert regression_message(0.95, 0.90, max_drop=0.10) is None


def test_per_intent_changes_come_biggest_drop_first() -> None:
    live = _summary(0.9, {"greet": 0.9, "thank": 1.0, "deny": 0.8, "affirm": 0.9})
    new = _summary(0.85, {"greet": 0.5, "thank": 0.9, "deny": 0.95, "ask_new": 0.7}, "b" * 64)
    comparison = compare(new, live)
    assert [row[0] for row in comparison.intents] == ["greet", "thank", "deny", "affirm", "ask_new"]
    text = "\n".join(format_comparison(comparison))
    assert "-40.0 pts" in text and "+15.0 pts" in text
    assert "not in the new model" in text and "new intent" in text
    assert not comparison.same_model


def test_compare_command_on_summary_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    live, worse, better = tmp_path / "live.json", tmp_path / "worse.json", tmp_path / "better.json"
    live.write_text(json.dumps(_summary(0.925, {"greet": 0.9})))
    worse.write_text(json.dumps(_summary(0.900, {"greet": 0.7}, "b" * 64)))
    better.write_text(json.dumps(_summary(0.940, {"greet": 1.0}, "c" * 64)))
    assert main(["compare", str(worse), str(live)]) == 1
    assert TWO_AND_A_HALF_POINTS in capsys.readouterr().err
    assert main(["compare", str(better), str(live)]) == 0
    output = capsys.readouterr()
    assert "REGRESSION" not in output.err and "+10.0 pts" in output.out
    assert main(["compare", str(tmp_path / "missing.json"), str(live)]) == 1
    assert f"ERROR: no summary at {tmp_path / 'missing.json'}" in capsys.readouterr().err


# --- unit level: reading Rasa's files and writing the report ------------------------------------

def _row(precision: float, recall: float, f1: float, support: int) -> Dict[str, float]:
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": support}


@pytest.fixture
def nlu_output(tmp_path: Path) -> Path:
    """A ``rasa test nlu`` output folder in Rasa 3.6's format."""
    out = tmp_path / "heldout"
    out.mkdir()
    report = {
        "greet": {**_row(1.0, 0.5, 0.667, 2), "confused_with": {"goodbye": 1}},
        "goodbye": _row(0.5, 1.0, 0.667, 1),
        "accuracy": 0.667,
        "macro avg": _row(0.75, 0.75, 0.667, 3),
        "weighted avg": _row(0.833, 0.667, 0.667, 3),
        "micro avg": _row(0.667, 0.667, 0.667, 3),
    }
    errors = [{"text": "see you | hi", "intent": "greet", "intent_prediction": {"name": "goodbye", "confidence": 0.61}}]
    (out / "intent_report.json").write_text(json.dumps(report))
    (out / "intent_errors.json").write_text(json.dumps(errors))
    return out


def test_reads_rasa_nlu_reports(nlu_output: Path) -> None:
    figures = results.nlu_figures(nlu_output)
    assert (figures["macro_f1"], figures["accuracy"], figures["weighted_f1"]) == (0.667, 0.667, 0.667)
    assert (figures["examples"], figures["misclassified"]) == (3, 1)
    assert figures["intents"]["greet"] == {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2}
    assert set(figures["intents"]) == {"greet", "goodbye"}
    assert results.misclassified(nlu_output) == [
        {"text": "see you | hi", "expected": "greet", "predicted": "goodbye", "confidence": 0.61}]
    (nlu_output / "intent_errors.json").unlink()  # Rasa writes none when all are right
    assert results.misclassified(nlu_output) == []


def test_reads_cross_validation_fold_figures() -> None:
    log = ("INFO rasa.nlu.test - train F1-score: 1.000 (0.000)\n"
           "INFO rasa.nlu.test - test Accuracy: 0.797 (0.015)\n"
           "INFO rasa.nlu.test - test F1-score: 0.795 (0.015)\n"
           "INFO rasa.nlu.test - test F1-score: 0.500 (0.100)\n")  # an entity extractor's, after the intents'
    assert results.fold_figures(log) == {"accuracy": {"mean": 0.797, "std": 0.015},
                                         "f1-score": {"mean": 0.795, "std": 0.015}}
    assert results.fold_figures("") == {}


def test_reads_rasa_conversation_reports(tmp_path: Path) -> None:
    report = {"action_listen": _row(1, 1, 1, 30), "action_answer": _row(0.9, 1, 0.95, 22),
              "accuracy": 0.95, "weighted avg": _row(0.9, 0.9, 0.9, 60),
              "conversation_accuracy": {"accuracy": 0.9, "correct": 19, "with_warnings": 0, "total": 21}}
    (tmp_path / "story_report.json").write_text(json.dumps(report))
    assert results.conversation_figures(tmp_path) == {
        "stories_passed": 19, "stories_total": 21, "actions_correct": 57, "actions_total": 60}
    failed = tmp_path / "failed_test_stories.yml"
    failed.write_text("# None of the test stories failed - all good!")
    assert results.failed_stories(tmp_path) is None
    failed.write_text("stories:\n- story: greets\n  steps:\n  - action: utter_x  # predicted: action_answer\n")
    assert "# predicted: action_answer" in results.failed_stories(tmp_path)


def test_intent_table_worst_first_with_kfold_column() -> None:
    heldout = {"intents": {"greet": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
                           "thank": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 4}}}
    kfold = {"intents": {"greet": {"f1": 0.8, "support": 60}}}
    assert intent_table(heldout, None) == [
        "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|",
        "| greet | 1.000 | 0.500 | 0.667 | 2 |", "| thank | 1.000 | 1.000 | 1.000 | 4 |"]
    with_kfold = intent_table(heldout, kfold)
    assert with_kfold[0] == "| intent | precision | recall | F1 | support | k-fold F1 | k-fold support |"
    assert with_kfold[2:] == ["| greet | 1.000 | 0.500 | 0.667 | 2 | 0.800 | 60 |",
                              "| thank | 1.000 | 1.000 | 1.000 | 4 | - | - |"]


def test_report_lists_misclassified_examples_and_conversation_failures(nlu_output: Path, tmp_path: Path) -> None:
    summary = {"date": "2026-01-01T00:00:00+00:00", "model": {"path": "models/x.tar.gz", "sha256": "f" * 64},
               "heldout": {"data": "tests/nlu/holdout.yml", **results.nlu_figures(nlu_output)}, "kfold": None,
               "conversations": {"stories_passed": 20, "stories_total": 21, "actions_correct": 61, "actions_total": 62}}
    report = write_report(summary, results.misclassified(nlu_output), "stories:\n- story: greets", [], None,
                          tmp_path / "live.json", ["CONVERSATIONS: 1 of 21 test stories failed"], tmp_path).read_text()
    assert "| see you \\| hi | greet | goodbye | 0.610 |" in report
    assert "```yaml\nstories:\n- story: greets\n```" in report
    assert "- verdict: **FAILED**\n  - CONVERSATIONS: 1 of 21 test stories failed" in report
    assert "| conversation stories passed | 20 of 21 |" in report
    assert f"No live report at `{tmp_path / 'live.json'}`" in report


def test_check_floor_still_works(nlu_output: Path, capsys: pytest.CaptureFixture) -> None:
    report = str(nlu_output / "intent_report.json")
    assert main(["check-floor", report, "--floor", "0.60"]) == 0
    assert main(["check-floor", report, "--floor", "0.90"]) == 1
    assert "BELOW THE FLOOR" in capsys.readouterr().out
