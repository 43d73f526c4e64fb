"""The real-question evaluation's measures on handmade replies (no server: pure functions)."""
import pytest

from bot.answering.safety import professional_recommendation
from bot.clinic.profile import Clinic
from bot.maintain.evaluation.real_questions import (
    DEFAULT_LABELS,
    Knowledge,
    RealQuestion,
    RealQuestionsError,
    Tally,
    button_intents,
    floor_problems,
    judge,
    parse_labels,
    read_labels,
    read_questions,
    round_lines,
    tally,
)
from bot.maintain.training_data.files import domain_intents
from bot.settings import PROJECT_ROOT
from bot.topics import read_intent_table

LABELS = read_labels(DEFAULT_LABELS, PROJECT_ROOT / "data" / "topics.yml")
WHAT_IS = "Mesotherapy is a minimally invasive procedure that involves injecting medication into the skin."
SAFE = "This procedure is considered safe when performed by a licensed professional."
KNOWLEDGE = Knowledge(by_topic={"what_is": (WHAT_IS,), "safety": (SAFE,), "practitioner": (SAFE,),
                                "conditions": ("Hair loss",)},
                      all_sentences=(WHAT_IS, SAFE, "Hair loss"))
RECOMMENDATION = professional_recommendation(Clinic(name="Skin Clinic", phone="01 23 45 67"))


def question(topic: str, safety: bool = False, subject=None) -> RealQuestion:
    return RealQuestion(text="a visitor's question", topic=topic, safety=safety, subject=subject)


def test_a_guide_question_is_right_when_the_intent_fits_and_the_reply_quotes_its_topic() -> None:
    right = judge(question("definition"), "ask_what_is_mesotherapy", 0.9,
                  f"**{WHAT_IS.upper()}**\n- more words", LABELS, KNOWLEDGE)  # layout and case do not matter
    assert (right.topic_right, right.content_right, right.safety_line, right.off_topic_handled) == \
           (True, True, None, None)
    assert right.failures == []
    wrong = judge(question("definition"), "ask_price", 0.7, "The guide does not cover prices.", LABELS, KNOWLEDGE)
    assert (wrong.topic_right, wrong.content_right) == (False, False)
    assert wrong.failures == ["topic", "content"]


def test_a_safety_question_takes_any_safety_intent_and_needs_the_professional_line() -> None:
    for intent in ("ask_safety", "ask_practitioner", "ask_contraindications"):
        assert judge(question("safety", safety=True), intent, 0.8, f"{SAFE}\n{RECOMMENDATION}",
                     LABELS, KNOWLEDGE).failures == []
    without_line = judge(question("safety", safety=True), "ask_safety", 0.8, SAFE, LABELS, KNOWLEDGE)
    assert without_line.safety_line is False and without_line.failures == ["safety line"]
    # The line is judged on any question flagged safety, whatever its topic.
    assert judge(question("definition", safety=True), "ask_what_is_mesotherapy", 0.8,
                 f"{WHAT_IS} {RECOMMENDATION}", LABELS, KNOWLEDGE).safety_line is True


def test_not_in_guide_questions_are_judged_by_subject() -> None:
    assert judge(question("not_in_guide", subject="price"), "ask_price", 0.9, "", LABELS, KNOWLEDGE).topic_right
    assert judge(question("not_in_guide", subject="pregnancy", safety=True), "ask_contraindications", 0.9,
                 RECOMMENDATION, LABELS, KNOWLEDGE).failures == []
    assert not judge(question("not_in_guide", subject="price"), "ask_session_count", 0.9, "", LABELS,
                     KNOWLEDGE).topic_right
    for intent in ("ask_home_kit", "ask_comparison", "out_of_scope", "nlu_fallback"):  # any "not in the guide"
        assert judge(question("not_in_guide", subject="needle_free"), intent, 0.5, "", LABELS, KNOWLEDGE).topic_right
    assert not judge(question("not_in_guide", subject="other"), "ask_procedure", 0.5, "", LABELS,
                     KNOWLEDGE).topic_right
    assert judge(question("not_in_guide", subject="price"), "ask_price", 0.9, "", LABELS,
                 KNOWLEDGE).content_right is None  # no guide content is expected


def test_an_off_topic_question_is_handled_when_no_guide_sentence_is_in_the_reply() -> None:
    handled = judge(question("off_topic"), "out_of_scope", 0.9,
                    "I can only answer questions about mesotherapy. Hair loss is one topic.", LABELS, KNOWLEDGE)
    assert (handled.topic_right, handled.off_topic_handled, handled.content_right) == (True, True, None)
    answered = judge(question("off_topic"), "ask_what_is_mesotherapy", 0.6, WHAT_IS, LABELS, KNOWLEDGE)
    assert answered.failures == ["topic", "guide content off topic"]


def test_figures_and_floors() -> None:
    judgements = [
        judge(question("definition"), "ask_what_is_mesotherapy", 0.9, WHAT_IS, LABELS, KNOWLEDGE),
        judge(question("definition"), "ask_price", 0.9, "", LABELS, KNOWLEDGE),
        judge(question("off_topic"), "nlu_fallback", 0.3, "Sorry?", LABELS, KNOWLEDGE),
        judge(question("safety", safety=True), "ask_safety", 0.9, SAFE, LABELS, KNOWLEDGE),
    ]
    headline, rows = tally(judgements, ["safety", "definition", "cocktails", "off_topic"])
    assert list(rows) == ["safety", "definition", "off_topic"]  # the given order, labels present only
    assert (headline["topic_accuracy"].right, headline["topic_accuracy"].total) == (2, 3)  # off topic left out
    assert (headline["safety_line"].right, headline["safety_line"].total) == (0, 1)
    assert (headline["off_topic"].right, headline["off_topic"].total) == (1, 1)
    assert rows["definition"].n == 2 and rows["definition"].content.cell() == "1/2"
    problems = floor_problems(headline, {"topic_accuracy": 0.9, "safety_line": 1.0, "off_topic": 0.9})
    assert [problem.split(":")[1].split()[0:2] for problem in problems] == [["topic", "accuracy"], ["safety", "line"]]
    assert floor_problems({"off_topic": Tally()}, {"off_topic": 0.9}) == []  # nothing measured: no verdict


def test_did_you_mean_counts_the_unsure_topic_questions_whose_buttons_offer_a_right_topic() -> None:
    reply = [{"text": "Sorry, I'm not sure I understood. Did you mean one of these?"},
             {"text": RECOMMENDATION, "buttons": [{"title": "What is mesotherapy?", "payload": "/ask_what_is_mesotherapy"},
                                                  {"title": "Who should perform it?", "payload": "/ask_practitioner"},
                                                  {"title": "Link", "payload": "https://example.org"}]}]
    offered = button_intents(reply)
    assert offered == ("ask_what_is_mesotherapy", "ask_practitioner")
    one_click = judge(question("safety", safety=True), "nlu_fallback", 0.4, RECOMMENDATION, LABELS, KNOWLEDGE, offered)
    elsewhere = judge(question("aftercare"), "nlu_fallback", 0.4, "", LABELS, KNOWLEDGE, offered)
    assert (one_click.offered_right, elsewhere.offered_right) == (True, False)
    assert one_click.topic_right is False  # still a miss of topic accuracy
    answered = judge(question("definition"), "ask_what_is_mesotherapy", 0.9, WHAT_IS, LABELS, KNOWLEDGE, offered)
    off_topic = judge(question("off_topic"), "nlu_fallback", 0.3, "", LABELS, KNOWLEDGE, offered)
    assert (answered.offered_right, off_topic.offered_right) == (None, None)  # not sent to "did you mean" / no topic
    headline, _ = tally([one_click, elsewhere, answered, off_topic])
    assert headline["did_you_mean"].cell() == "1/2"


def test_each_gathering_round_gets_its_own_figures_when_there_are_several() -> None:
    first = judge(question("definition"), "ask_what_is_mesotherapy", 0.9, WHAT_IS, LABELS, KNOWLEDGE)
    later = RealQuestion(text="a later visitor's question", topic="definition", safety=False, round=2)
    lines = round_lines([first, judge(later, "ask_price", 0.9, "", LABELS, KNOWLEDGE)])
    assert lines[0].startswith("round 1 (1 questions): topic accuracy 1.000 (1/1)")
    assert lines[1].startswith("round 2 (1 questions): topic accuracy 0.000 (0/1)")
    assert round_lines([first]) == []  # one round: the headline says it all


def test_the_held_out_half_marks_the_questions_gathered_after_the_rules() -> None:
    questions = read_questions(PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml")
    assert {question.round for question in questions} == {1, 2, 3}


def test_labels_name_only_intents_of_the_domain_and_cover_every_real_question() -> None:
    known = set(domain_intents(PROJECT_ROOT / "domain.yml")) | {"nlu_fallback"}
    named = set().union(*LABELS.intents.values(), *LABELS.not_in_guide.values())
    assert named <= known
    table = read_intent_table(PROJECT_ROOT / "data" / "topics.yml")
    assert {u.intent for u in table.not_in_guide} <= LABELS.not_in_guide["other"]
    for name in ("train.yml", "heldout.yml"):
        for item in read_questions(PROJECT_ROOT / "tests" / "nlu" / "real" / name):
            assert LABELS.allowed_intents(item)
            assert bool(LABELS.topic_keys(item)) == (item.topic not in ("not_in_guide", "off_topic"))


def test_an_unknown_label_is_an_error() -> None:
    labels = parse_labels({"intents": {"definition": ["ask_what_is_mesotherapy"]}, "not_in_guide": {},
                           "topics": {}}, ["ask_price"])
    with pytest.raises(RealQuestionsError, match="not_in_guide subject 'price'"):
        labels.allowed_intents(question("not_in_guide", subject="price"))
    with pytest.raises(RealQuestionsError, match="no label 'duration'"):
        labels.allowed_intents(question("duration"))


def test_a_second_labelling_gives_the_ceiling_of_topic_accuracy_and_accuracy_where_both_agree() -> None:
    from bot.maintain.evaluation.second_labelling import agreement

    def asked(text: str, topic: str, intent: str):
        return judge(RealQuestion(text=text, topic=topic, safety=False), intent, 0.9, "", LABELS, KNOWLEDGE)

    judgements = [
        asked("what is it", "definition", "ask_what_is_mesotherapy"),  # both: definition; right
        asked("what is it for", "definition", "ask_price"),  # both: definition; wrong
        asked("what can I expect", "aftercare", "ask_procedure"),  # second: procedure; not counted where agreed
        asked("is botox safe", "off_topic", "out_of_scope"),  # both: off topic; no topic question
        asked("never labelled again", "definition", "ask_what_is_mesotherapy"),
    ]
    second = {"what is it": "definition", "what is it for": "definition", "what can I expect": "procedure",
              "is botox safe": "off_topic"}
    result = agreement(judgements, second)
    assert (result.compared, result.agreed, result.topic_questions, result.topic_agreed) == (4, 3, 3, 2)
    assert result.topic_right_where_agreed == 1
    assert result.lines()[1] == "topic accuracy on the topic questions both labellings agree on: 0.500 (1/2)"


def test_the_second_labelling_labels_the_held_out_questions_with_the_rubrics_labels() -> None:
    from bot.maintain.evaluation.second_labelling import read_second_topics

    second = read_second_topics(PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout_second_labels.yml")
    held_out = {item.text for item in read_questions(PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml")}
    assert set(second) == held_out
    assert set(second.values()) <= {*LABELS.intents, "not_in_guide"}
