"""End to end over HTTP: the real Rasa server and action server, started as `make run` does."""
import json
import os
import sqlite3
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import List

import pytest

from bot.maintain.servers import serving
from bot.answering import safety
from bot.clinic import contact_form
from bot.settings import PROJECT_ROOT, load_clinic, load_settings

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
SETTINGS = load_settings()  # the servers' ports: RASA_PORT, ACTION_PORT
RASA_PORT, ACTION_PORT = SETTINGS.rasa_port, SETTINGS.action_port
REST = f"{SETTINGS.rasa_url}/webhooks/rest/webhook"

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"),
                       reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def servers():
    env = dict(os.environ)
    env.pop("RASA_AUTH_TOKEN", None)
    with serving(env):
        yield


def _post_raw(body: bytes):
    request = urllib.request.Request(REST, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"[]")
    except urllib.error.HTTPError as error:
        return error.code, None


def _say(sender: str, text: str):
    status, messages = _post_raw(json.dumps({"sender": sender, "message": text}).encode())
    assert status == 200
    return messages


def test_greeting_offers_topics_as_buttons(servers):
    messages = _say(uuid.uuid4().hex, "hello")
    assert "mesotherapy assistant" in messages[0]["text"]
    assert len(messages[-1]["buttons"]) == 8


def test_condition_then_follow_up_in_one_conversation(servers):
    sender = uuid.uuid4().hex
    first = _say(sender, "can it help with hair thinning?")
    assert first[0]["text"].startswith("Yes. The guide lists hair loss")
    follow_up = " ".join(m["text"] for m in _say(sender, "and how long does that last?"))
    assert "not permanent" in follow_up and "hair loss" in follow_up


def test_safety_question_ends_with_the_recommendation(servers):
    messages = _say(uuid.uuid4().hex, "what are the risks and side effects?")
    assert messages[-1]["text"] == safety.professional_recommendation(load_clinic())


def test_red_flag_gets_urgent_care_first(servers):
    messages = _say(uuid.uuid4().hex, "I had mesotherapy yesterday and now my face is swelling and I have a fever")
    assert messages[0]["text"] == safety.urgent_care_message(load_clinic())


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "a" * 10_000, "<img src=x onerror=alert(1)>",
                                  "1; DROP TABLE events; --", "¿Cuánto cuesta la mesoterapia?"])
def test_bad_input_gets_a_reply_and_the_server_keeps_working(servers, text):
    messages = _say(uuid.uuid4().hex, text)
    assert messages and all(m.get("text") for m in messages)
    assert _say(uuid.uuid4().hex, "hi")


def test_binary_body_is_rejected_cleanly_and_nothing_breaks(servers):
    status, _ = _post_raw(b"\xff\xfe\x00garbage")
    assert status in (400, 500)
    assert _say(uuid.uuid4().hex, "hi")


def test_conversations_are_stored_in_the_sqlite_tracker_store(servers):
    sender = f"store-{uuid.uuid4().hex}"
    _say(sender, "what is mesotherapy")
    with sqlite3.connect(PROJECT_ROOT / "var" / "conversations.db") as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (f"rest:{sender}",)).fetchone()[0]
    assert count > 0


def test_http_api_requires_the_generated_token_and_servers_listen_on_loopback_only(servers):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/conversations/x/tracker", timeout=10)
    assert error.value.code == 401
    token_file = load_settings().api_token_file
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    with urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/status?token={token}", timeout=10) as response:
        assert response.status == 200
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A":  # LISTEN
            address, port = local.split(":")
            listening.add((address, int(port, 16)))
    for port in (RASA_PORT, ACTION_PORT):
        assert ("0100007F", port) in listening
        assert ("00000000", port) not in listening


def test_widget_channel_is_served_next_to_rest(servers):
    with urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/webhooks/socketio/", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}
    with urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/widget/widget.js", timeout=10) as response:
        assert response.status == 200


def test_a_multi_part_question_gets_each_part_answered_in_order(servers):
    text = "\n".join(m.get("text", "") for m in _say(uuid.uuid4().hex, "What is mesotherapy? And how long do results last?"))
    assert text.index("injecting medication, vitamins, or other nutrients") < text.index("results are not permanent")


def _texts(text: str) -> List[str]:
    return [m.get("text", "") for m in _say(uuid.uuid4().hex, text)]


def test_a_pregnancy_question_says_what_the_guide_does_not_address_first(servers):
    reply = _texts("is mesotherapy safe during pregnancy?")
    assert reply[0].startswith("The guide I answer from does not address pregnancy")
    assert not reply[0].startswith("This procedure is considered safe")
    assert reply[-1] == safety.professional_recommendation(load_clinic())


def test_a_chat_style_fever_gets_urgent_care_first(servers):
    reply = _texts("got a temp of 38.9 since yesterday, had mesotherapy on thursday")
    assert reply[0] == safety.urgent_care_message(load_clinic())
    assert reply[-1] == safety.professional_recommendation(load_clinic())


def test_normal_redness_after_a_session_gets_the_guides_reassurance_not_an_alarm(servers):
    reply = _texts("my face is a bit red and puffy tonight after my session, will it be gone by tomorrow?")
    assert safety.urgent_care_message(load_clinic()) not in reply
    assert any("should resolve within a few hours" in message for message in reply)


def test_after_the_urgent_care_message_the_next_turns_never_read_as_an_all_clear(servers):
    # outside probe: "is this normal after meso?" after a fever got the normal after-effects, "no fever though"
    # after spreading redness "No problem", "im ok now i think" after fainting "Goodbye"
    clinic = load_clinic()
    sender = uuid.uuid4().hex
    assert _say(sender, "had meso 2 days ago and i have a temperature of 39 now")[0]["text"] == safety.urgent_care_message(clinic)
    for text in ["is this normal after meso?", "no fever though", "im ok now i think"]:
        reply = [m.get("text", "") for m in _say(sender, text)]
        assert reply[0] == safety.urgent_care_reminder(clinic), (text, reply)
        assert not any("should resolve within a few hours" in m or m.startswith(("No problem", "Goodbye")) for m in reply)
    other = _texts("is this normal after meso?")  # another conversation: no reminder
    assert other[0].startswith("After your treatment") and safety.urgent_care_reminder(clinic) not in other


def test_a_follow_up_after_the_aftercare_answer_asks_about_the_activity_it_names(servers):
    sender = uuid.uuid4().hex
    _say(sender, "what should i expect after the treatment")
    reply = [m.get("text", "") for m in _say(sender, "sauna tmrw?")]
    assert reply[0] == "The guide does not say anything about sauna after a treatment."


def test_taking_up_the_offer_to_be_contacted_in_words_starts_the_contact_form(servers):
    # ninth session's probe: "ok" / "yes please" after "I can ask someone at the clinic to contact you" got "Great.
    # What would you like to know?", and the name and number typed next were lost
    sender = uuid.uuid4().hex
    _say(sender, "asdf qwer")
    offer = [m.get("text", "") for m in _say(sender, "zzzz blorp")]
    assert any("contact you" in text for text in offer), offer
    assert [m.get("text") for m in _say(sender, "yes please")] == [contact_form.QUESTIONS["handoff_consent"]]
    assert [m.get("text") for m in _say(sender, "sure why not")] == [contact_form.QUESTIONS["contact_name"]]
    confirmed = [m.get("text", "") for m in _say(sender, "I'm Tom, 07700 900111")]
    assert len(confirmed) == 1 and "ending 0111" in confirmed[0], confirmed

