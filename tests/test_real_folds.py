"""The page-grouped cross-validation never trains a fold on its own questions or pages
(bot/maintain/evaluation/real_folds.py)."""

import json
from pathlib import Path

import yaml

from bot.maintain.evaluation.real_folds import (
    DEFAULT_TRAINING_HALF,
    FoldScore,
    deal_pages,
    fallback_threshold,
    read_predictions,
    score,
    questions_document,
    write_fold_data,
)
from bot.maintain.evaluation.real_questions import DEFAULT_LABELS, read_labels, read_questions
from bot.maintain.training_data import adapted
from bot.maintain.training_data.files import read_training_file
from bot.maintain.training_data.text import normalise
from bot.settings import PROJECT_ROOT, load_settings

QUESTIONS = read_questions(DEFAULT_TRAINING_HALF)
LABELS = read_labels(DEFAULT_LABELS, load_settings().topics_path)


def _paths() -> dict:
    return {
        "adapted": adapted.SOURCES,
        "holdout": PROJECT_ROOT / "tests" / "nlu" / "holdout.yml",
        "real_heldout": PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml",
        "vocabulary": load_settings().vocabulary_path,
    }


def test_every_page_is_in_exactly_one_fold_and_the_deal_is_repeatable() -> None:
    folds = deal_pages(QUESTIONS, 5, seed=0)

    pages = {question.source for question in QUESTIONS}
    assert set().union(*folds) == pages
    assert sum(len(fold) for fold in folds) == len(pages)
    assert min(len(fold) for fold in folds) >= len(pages) // 5
    assert deal_pages(QUESTIONS, 5, seed=0) == folds
    assert deal_pages(QUESTIONS, 5, seed=1) != folds


def test_a_folds_training_data_has_none_of_its_questions_nor_adapted_questions_from_its_pages(tmp_path: Path) -> None:
    shipped = {
        normalise(text)
        for texts in read_training_file(PROJECT_ROOT / "data" / "nlu" / adapted.OUTPUT_NAME).examples.values()
        for text in texts
    }
    adapted_questions = [q for path in sorted(adapted.SOURCES.glob("*.yml")) for q in adapted.read_adapted(path)]
    real_pages = {question.source for question in QUESTIONS}
    shared = sorted({q.source for q in adapted_questions if q.source in real_pages and normalise(q.text) in shipped})
    assert shared, "some adapted questions trained on come from pages of the training half"
    pages = {shared[0], *sorted(real_pages)[:40]}
    fold = [question for question in QUESTIONS if question.source in pages]

    write_fold_data(PROJECT_ROOT / "data" / "nlu", tmp_path / "nlu", fold, pages, _paths())

    trained = {
        normalise(text)
        for path in (tmp_path / "nlu").glob("*.yml")
        for texts in read_training_file(path).examples.values()
        for text in texts
    }
    assert not trained & {normalise(question.text) for question in fold}
    from_fold_pages = {normalise(q.text) for q in adapted_questions if q.source in pages} - {
        normalise(q.text) for q in adapted_questions if q.source not in pages
    }
    assert from_fold_pages & shipped  # they are trained on normally...
    built = read_training_file(tmp_path / "nlu" / adapted.OUTPUT_NAME).examples
    assert not from_fold_pages & {normalise(text) for texts in built.values() for text in texts}  # ...not in this fold
    # the rest of the training data is kept
    handoff = PROJECT_ROOT / "data" / "nlu" / "handoff.yml"
    assert (tmp_path / "nlu" / "handoff.yml").read_text() == handoff.read_text()


def test_the_test_file_asks_each_question_once_under_an_intent_the_rubric_allows() -> None:
    fold = QUESTIONS[:60]
    document = yaml.safe_load(questions_document(fold, LABELS))

    asked = {}
    for block in document["nlu"]:
        for line in block["examples"].splitlines():
            asked.setdefault(normalise(line.removeprefix("- ")), set()).add(block["intent"])
    for question in fold:
        assert asked[normalise(question.text)] <= LABELS.allowed_intents(question)


def test_a_question_counts_as_right_when_its_predicted_intent_is_one_the_rubric_allows() -> None:
    safety = next(question for question in QUESTIONS if question.topic == "safety")
    off_topic = next(question for question in QUESTIONS if question.topic == "off_topic")
    total = FoldScore({}, {})

    score(
        [safety, off_topic],
        {normalise(safety.text): "ask_contraindications", normalise(off_topic.text): "ask_safety"},
        LABELS,
        total,
    )

    assert total.rate(["safety"]) == (1, 1)
    assert total.rate(["off_topic"]) == (0, 1)


def test_a_prediction_under_the_fallback_threshold_counts_as_did_you_mean_unless_a_subject_rule_decided_it(
    tmp_path: Path,
) -> None:
    entries = [
        {
            "text": "does it hurt?",
            "intent": "ask_procedure",
            "intent_prediction": {"name": "ask_procedure", "confidence": 0.3},
        },
        {
            "text": "Is PRP painful?",
            "intent": "out_of_scope",
            "intent_prediction": {"name": "out_of_scope", "confidence": 1.0},
        },
        {
            "text": "what is in it",
            "intent": "ask_cocktail_ingredients",
            "intent_prediction": {"name": "ask_cocktail_ingredients", "confidence": 0.8},
        },
    ]
    (tmp_path / "intent_successes.json").write_text(json.dumps(entries), encoding="utf-8")
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: LogisticRegressionClassifier\n  - name: FallbackClassifier\n    threshold: 0.45\n",
        encoding="utf-8",
    )

    predicted = read_predictions(tmp_path, fallback_threshold(config))

    assert predicted == {
        normalise("does it hurt?"): "nlu_fallback",
        normalise("Is PRP painful?"): "out_of_scope",
        normalise("what is in it"): "ask_cocktail_ingredients",
    }
    config.write_text("pipeline:\n  - name: LogisticRegressionClassifier\n", encoding="utf-8")
    assert read_predictions(tmp_path, fallback_threshold(config))[normalise("does it hurt?")] == "ask_procedure"
