"""Real questions about related treatments become training examples only as the rubric and the
held-out split allow (bot/maintain/training_data/adapted.py)."""
import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.maintain.training_data.adapted import OUTPUT_NAME, SOURCES, safety_intent
from bot.maintain.training_data.files import read_training_file
from bot.settings import PROJECT_ROOT

HELD_OUT = PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml"


def _held_out_entry() -> dict:
    return yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))[0]


def _build(sources: Path, data: Path) -> int:
    return main(["build-adapted", "--sources", str(sources), "--data", str(data)])


def _write(path: Path, entries: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")


def _entry(text: str, topic: str, subject: str = "", source: str = "https://example.org/prp-faq") -> dict:
    entry = {"text": text, "original": text, "source": source, "topic": topic, "safety": topic == "safety"}
    if subject:
        entry["subject"] = subject
    return entry


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", target)
    return target


@pytest.mark.slow
def test_the_shipped_training_file_is_what_the_command_makes_of_the_shipped_sources(data: Path) -> None:
    shipped = (data / OUTPUT_NAME).read_text(encoding="utf-8")
    (data / OUTPUT_NAME).unlink()

    assert _build(SOURCES, data) == 0
    assert (data / OUTPUT_NAME).read_text(encoding="utf-8") == shipped


def test_questions_are_trained_on_the_rubrics_intent(tmp_path: Path, data: Path) -> None:
    _write(
        tmp_path / "adapted" / "prp.yml",
        [
            _entry("whats the healing time like after mesotherapy sessions??", "aftercare"),
            _entry("Can mesotherapy fix my saggy jawline?", "conditions"),
            _entry("Is mesotherapy more effective than chemical peels?", "not_in_guide", "comparison"),
            _entry("Does insurance pay for mesotherapy at all?", "not_in_guide", "other"),
        ],
    )
    assert _build(tmp_path / "adapted", data) == 0

    built = read_training_file(data / OUTPUT_NAME).examples
    assert built == {
        "ask_aftercare": ["whats the healing time like after mesotherapy sessions??"],
        "ask_conditions_treated": ["Can mesotherapy fix my saggy jawline?"],
        "ask_comparison": ["Is mesotherapy more effective than chemical peels?"],
    }


def test_left_out_are_duplicates_other_treatments_and_held_out_near_duplicates(
    tmp_path: Path, data: Path, capsys
) -> None:
    held_out = _held_out_entry()["text"]
    already_trained = read_training_file(data / "topics.yml").examples["ask_procedure"][0]
    _write(
        tmp_path / "adapted" / "mixed.yml",
        [
            _entry(held_out + "!", "definition"),
            _entry(already_trained, "procedure"),
            _entry("Does PRP therapy hurt a lot?", "procedure"),
            _entry("how swollen will I be the day after mesotherapy", "aftercare"),
            _entry("How swollen will I be the day after mesotherapy?", "aftercare"),
        ],
    )
    assert _build(tmp_path / "adapted", data) == 0

    assert read_training_file(data / OUTPUT_NAME).examples == {
        "ask_aftercare": ["how swollen will I be the day after mesotherapy"]
    }
    out = capsys.readouterr().out
    assert "a held-out question or a near-duplicate of one" in out
    assert "already a training example" in out
    assert "names another treatment" in out
    assert "written before at mixed.yml" in out
    assert "1 examples" in out and "4 left out" in out


def test_a_question_from_a_held_out_page_stops_the_build_and_writes_nothing(tmp_path: Path, data: Path, capsys) -> None:
    shipped = (data / OUTPUT_NAME).read_text(encoding="utf-8")
    page = _held_out_entry()["source"]
    _write(tmp_path / "adapted" / "leak.yml", [_entry("Is there any downtime at all with mesotherapy?", "aftercare", source=page)])

    assert _build(tmp_path / "adapted", data) == 1

    assert page in capsys.readouterr().err
    assert (data / OUTPUT_NAME).read_text(encoding="utf-8") == shipped


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Who can perform mesotherapy injections?", "ask_practitioner"),
        ("What qualifications should my injector have?", "ask_practitioner"),
        ("Who is a good candidate for mesotherapy?", "ask_contraindications"),
        ("What qualifies a patient for this treatment?", "ask_contraindications"),
        ("Who shouldn't get mesotherapy?", "ask_contraindications"),
        ("Can I have mesotherapy if I take blood thinners?", "ask_contraindications"),
        ("Are there any risks with mesotherapy?", "ask_safety"),
        ("what are the side effects", "ask_safety"),
    ],
)
def test_a_safety_question_is_trained_on_who_performs_who_may_have_it_or_safety(question: str, intent: str) -> None:
    assert safety_intent(question) == intent
