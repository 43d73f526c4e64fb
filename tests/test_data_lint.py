"""Training-data checks point at the file and line of each problem."""
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.maintain.training_data.files import read_training_file
from bot.maintain.training_data.lint import Example, read_real_questions, real_question_leaks
from bot.settings import PROJECT_ROOT

# Lints the whole training data against the held-out sets: `make test` runs it, `make test-unit` does not.
pytestmark = pytest.mark.slow


def test_the_shipped_training_data_is_clean_and_does_not_leak_into_the_held_out_set(capsys) -> None:
    assert main(["lint-data", "--data", str(PROJECT_ROOT / "data" / "nlu"), "--domain", str(PROJECT_ROOT / "domain.yml"),
                           "--holdout", str(PROJECT_ROOT / "tests" / "nlu" / "holdout.yml")]) == 0
    assert capsys.readouterr().out.startswith("0 problem(s) in ")


def test_duplicates_unknown_intents_and_leaks_are_reported_with_file_and_line(tmp_path: Path, capsys) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", data)
    topics = data / "topics.yml"
    safety_example = read_training_file(topics).examples["ask_safety"][0]
    lines = topics.read_text().splitlines()
    heading = lines.index("- intent: ask_what_is_mesotherapy")
    first_example = heading + 1  # the `examples: |` line: the planted pair goes right after it
    lines[first_example + 1:first_example + 1] = ["    - what is this meso thing anyway"]
    first_example += 1
    lines.insert(first_example + 1, "    - What is this Meso thing, anyway?!")  # same words again
    lines += ["- intent: ask_weather", "  examples: |", "    - will it rain", f"    - {safety_example}"]
    topics.write_text("\n".join(lines) + "\n")
    holdout = tmp_path / "holdout.yml"
    holdout.write_text('version: "3.1"\nnlu:\n- intent: ask_price\n  examples: |\n    - will it rain\n')

    assert main(["lint-data", "--data", str(data), "--domain", str(PROJECT_ROOT / "domain.yml"),
                           "--holdout", str(holdout)]) == 1
    out = capsys.readouterr().out
    intent_line = len(lines) - 3
    assert f"{topics}:{first_example + 2}: 'What is this Meso thing, anyway?!' (ask_what_is_mesotherapy) is written again at " \
           f"{topics}:{first_example + 1}" in out
    assert f"{topics}:{intent_line}: intent 'ask_weather' is not listed in the domain" in out
    assert f"{topics}:{intent_line + 3}: '{safety_example}' (ask_weather) is written also under 'ask_safety'" in out
    assert f"{holdout}:5: held-out example 'will it rain' is also a training example at {topics}:{intent_line + 2}" in out


def test_a_held_out_real_question_planted_in_the_training_data_fails_the_lint_with_file_and_line(
        tmp_path: Path, capsys) -> None:
    real_holdout = PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml"
    [question] = [q for q in read_real_questions(real_holdout)
                  if q.text == "How long does the procedure take and is it painful?"]
    data = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", data)
    topics = data / "topics.yml"
    lines = topics.read_text().splitlines()
    heading = lines.index("- intent: ask_procedure")
    planted = "How long does the procedure take, and is it painfull?"  # lightly changed: comma, typo
    lines.insert(heading + 2, f"    - {planted}")
    topics.write_text("\n".join(lines) + "\n")

    assert main(["lint-data", "--data", str(data), "--domain", str(PROJECT_ROOT / "domain.yml"),
                 "--holdout", str(PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"),
                 "--real-holdout", str(real_holdout)]) == 1
    out = capsys.readouterr().out
    assert f"{topics}:{heading + 3}: training example '{planted}' (ask_procedure) is a near-duplicate " \
           f"(similarity " in out
    assert f"of the held-out real question '{question.text}' at {real_holdout}:{question.line}" in out


def _leaks(written: str, held_out: str) -> list:
    where = Path("data/nlu/x.yml")
    return real_question_leaks([Example(written, "ask_safety", where, 1)], [Example(held_out, "safety", where, 2)])


def test_near_duplicates_are_the_same_words_or_a_close_spelling_not_another_question() -> None:
    assert _leaks("What is Mesotherapy?!", "what is mesotherapy")
    assert _leaks("How long does the procedure take, and is it painfull?",
                  "How long does the procedure take and is it painful?")
    assert not _leaks("Is it safe?", "How much does it cost?")
    assert not _leaks("what are the risks of mesotherapy", "What are the uses of Mesotherapy?")
    assert not _leaks("Who isn't a candidate?", "Who is a Candidate?")
