"""Training-data checks point at the file and line of each problem."""
import shutil
from pathlib import Path

from bot.cli import main
from bot.settings import PROJECT_ROOT


def test_the_shipped_training_data_is_clean_and_does_not_leak_into_the_held_out_set(capsys) -> None:
    assert main(["lint-data", "--data", str(PROJECT_ROOT / "data" / "nlu"), "--domain", str(PROJECT_ROOT / "domain.yml"),
                           "--holdout", str(PROJECT_ROOT / "tests" / "nlu" / "holdout.yml")]) == 0
    assert "0 problem(s) in 4 training file(s)" in capsys.readouterr().out


def test_duplicates_unknown_intents_and_leaks_are_reported_with_file_and_line(tmp_path: Path, capsys) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", data)
    topics = data / "topics.yml"
    lines = topics.read_text().splitlines()
    first_example = next(i for i, line in enumerate(lines) if line.strip() == "- what is mesotherapy")
    lines.insert(first_example + 1, "    - What is Mesotherapy?!")  # same words again
    lines += ["- intent: ask_weather", "  examples: |", "    - will it rain", "    - Is it safe?"]
    topics.write_text("\n".join(lines) + "\n")
    holdout = tmp_path / "holdout.yml"
    holdout.write_text('version: "3.1"\nnlu:\n- intent: ask_price\n  examples: |\n    - will it rain\n')

    assert main(["lint-data", "--data", str(data), "--domain", str(PROJECT_ROOT / "domain.yml"),
                           "--holdout", str(holdout)]) == 1
    out = capsys.readouterr().out
    intent_line = len(lines) - 3
    assert f"{topics}:{first_example + 2}: 'What is Mesotherapy?!' (ask_what_is_mesotherapy) is written again at " \
           f"{topics}:{first_example + 1}" in out
    assert f"{topics}:{intent_line}: intent 'ask_weather' is not listed in the domain" in out
    assert f"{topics}:{intent_line + 3}: 'Is it safe?' (ask_weather) is written also under 'ask_safety'" in out
    assert f"{holdout}:5: held-out example 'will it rain' is also a training example at {topics}:{intent_line + 2}" in out
