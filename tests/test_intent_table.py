"""The intent table (data/topics.yml) and the domain agree: every intent is handled in exactly one place."""
from pathlib import Path

import pytest
import yaml

from bot.maintain.training_data.files import domain_intents
from bot.settings import PROJECT_ROOT
from bot.topics import TopicsError, intent_table, parse_intent_table


def _rules() -> dict:
    """Intent -> the action its rule runs (data/rules.yml, rules that start with an intent)."""
    rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules.yml").read_text())["rules"]
    handled = {}
    for rule in rules:
        steps = rule.get("steps", [])
        if steps and "intent" in steps[0] and len(steps) > 1:
            handled[steps[0]["intent"]] = steps[1].get("action")
    return handled


def test_every_domain_intent_is_handled_in_exactly_one_place_of_the_intent_table() -> None:
    handling = intent_table().handling()
    intents = domain_intents(PROJECT_ROOT / "domain.yml")
    assert {intent: places for intent, places in handling.items() if len(places) != 1} == {}
    assert sorted(set(intents) - set(handling)) == [], "domain intents the table does not handle"
    assert sorted(set(handling) - set(intents)) == [], "table intents missing from the domain"


def test_rules_send_each_intent_where_the_table_says() -> None:
    table, rules = intent_table(), _rules()
    answered = [t.intent for t in table.topics] + [u.intent for u in table.not_in_guide]
    answered += [*table.conversation, table.red_flag]
    assert {intent: rules.get(intent) for intent in answered if rules.get(intent) != "action_answer"} == {}
    assert {intent: rules.get(intent) for intent in table.handoff if rules.get(intent) != "handoff_form"} == {}


def test_a_topic_without_anything_that_answers_it_or_written_twice_is_refused() -> None:
    data = yaml.safe_load((PROJECT_ROOT / "data" / "topics.yml").read_text())
    data["topics"][0].pop("sections")
    with pytest.raises(TopicsError, match="give `sections`, `words` or `facts`"):
        parse_intent_table(data)
    data = yaml.safe_load((PROJECT_ROOT / "data" / "topics.yml").read_text())
    data["conversation"].append(data["topics"][0]["intent"])
    with pytest.raises(TopicsError, match="written twice: ask_what_is_mesotherapy"):
        parse_intent_table(data)


def test_safety_intents_buttons_and_subjects_come_from_the_table(tmp_path: Path) -> None:
    table = intent_table()
    assert table.safety_intents == {"ask_safety", "ask_practitioner", "ask_aftercare", "ask_contraindications",
                                    "report_red_flag"}
    assert [payload for _, payload in table.buttons] == [f"/{topic.intent}" for topic in table.topics]
    assert table.uncovered("ask_price").answered_by("How Much Does Mesotherapy Cost?")
    assert not table.uncovered("ask_price").answered_by("Is Mesotherapy Safe?")
