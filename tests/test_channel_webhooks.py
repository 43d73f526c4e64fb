"""Each messaging channel end to end: a real-format provider request to the real servers, the reply
as the provider's API would receive it.

The Rasa server and the action server run as ``make run`` starts them (``scripts/serve.sh``),
with every channel switched on by its environment variables. Only the calls to the providers'
APIs leave for a local stand-in (``tests/fake_providers.py``), which records exactly what was
sent. The expected replies come from the same server's REST channel, then formatted by hand for
each channel, so a channel that drops, reorders or mangles a message fails.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from twilio.request_validator import RequestValidator

from bot.answering import safety
from bot.answering.replies import greeting
from bot.clinic.channels import CHANNEL_VARIABLES
from bot.clinic.profile import Clinic
from bot.maintain.endpoints import write_endpoints
from bot.maintain.servers import serving
from bot.settings import PROJECT_ROOT, load_settings
from bot.topics import intent_table
from tests.fake_providers import FakeProviders, ProviderCall

TOPIC_BUTTONS = intent_table().buttons

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
RASA_PORT, ACTION_PORT = 5605, 5655
BASE = f"http://127.0.0.1:{RASA_PORT}"
# Credentials made up for each run: the providers are stand-ins, nothing real is configured.
TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER = "AC" + secrets.token_hex(16), secrets.token_hex(16), "+15005550006"
TELEGRAM_TOKEN, TELEGRAM_SECRET = f"123456789:{secrets.token_hex(17)}", secrets.token_urlsafe(24)
TELEGRAM_WEBHOOK = "https://bot.example.test/webhooks/telegram/webhook"
FACEBOOK_SECRET, FACEBOOK_VERIFY, FACEBOOK_PAGE_TOKEN = (secrets.token_hex(16) for _ in range(3))
SLACK_TOKEN, SLACK_SECRET = "xoxb-" + secrets.token_hex(12), secrets.token_hex(16)
NOT_THE_SECRET = secrets.token_hex(16)  # what a forger would sign with
NEUTRAL_CLINIC = Clinic()  # the servers run without clinic settings

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"),
                       reason="no trained model: run `make train` first"),
]


@pytest.fixture(scope="module")
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(providers: FakeProviders, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The servers with every channel; yields their conversations' SQLite file."""
    folder = tmp_path_factory.mktemp("channels")
    env = {key: value for key, value in os.environ.items()
           if key not in CHANNEL_VARIABLES and not key.startswith("CLINIC_") and key != "RASA_AUTH_TOKEN"}
    env.update({
        "RASA_PORT": str(RASA_PORT), "ACTION_PORT": str(ACTION_PORT),
        "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": providers.url("twilio"),
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK, "TELEGRAM_API_URL": providers.url("telegram"),
        "FACEBOOK_VERIFY": FACEBOOK_VERIFY, "FACEBOOK_SECRET": FACEBOOK_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_PAGE_TOKEN, "FACEBOOK_API_URL": providers.url("facebook"),
        "SLACK_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": providers.url("slack"),
    })
    env["ENDPOINTS"] = str(write_endpoints(folder / "endpoints.yml", load_settings(env),
                                           f"sqlite:///{folder / 'conversations.db'}"))
    with serving(env):
        yield folder / "conversations.db"


def _post(path: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
    request = urllib.request.Request(BASE + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _rest_reply(text: str) -> List[Dict[str, Any]]:
    """The assistant's reply on the REST channel: what every channel must deliver, formatted.
    A button payload is sent after the greeting that offers it (only offered payloads are read as such)."""
    sender = uuid.uuid4().hex
    if text.startswith("/"):
        greeting_body = json.dumps({"sender": sender, "message": "hello"}).encode()
        assert _post("/webhooks/rest/webhook", greeting_body, {"Content-Type": "application/json"})[0] == 200
    body = json.dumps({"sender": sender, "message": text}).encode()
    status, answer = _post("/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    assert status == 200
    return json.loads(answer)


def numbered_options(buttons: List[Tuple[str, str]]) -> str:
    """Options as a visitor without buttons reads them."""
    return "Reply with a number:\n" + "\n".join(f"{n}. {title}" for n, (title, _) in enumerate(buttons, start=1))


def _sms_bodies(reply: List[Dict[str, Any]]) -> List[str]:
    """SMS by hand: plain text, buttons as numbered options after the last message."""
    bodies = [message["text"] for message in reply]
    buttons = [(button["title"], button["payload"]) for button in reply[-1].get("buttons") or []]
    if buttons:
        bodies[-1] += "\n\n" + numbered_options(buttons)
    return bodies


def _greeting_buttons() -> List[Tuple[str, str]]:
    return list(TOPIC_BUTTONS)


# --- Twilio (SMS and WhatsApp) ---------------------------------------------------------------

TWILIO_URL = f"{BASE}/webhooks/twilio/webhook"


def _twilio_form(sender: str, text: str) -> Dict[str, str]:
    return {"MessageSid": "SM" + uuid.uuid4().hex, "SmsSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID,
            "From": sender, "To": TWILIO_NUMBER, "Body": text, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01", "FromCountry": "US"}


def _post_twilio(form: Dict[str, str], signature: Optional[str] = None) -> Tuple[int, str]:
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(TWILIO_URL, form)
    return _post("/webhooks/twilio/webhook", urllib.parse.urlencode(form).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


def _sent_to(providers: FakeProviders, provider: str, recipient: str, count: int) -> List[ProviderCall]:
    def addressed(call: ProviderCall) -> bool:
        body = call.body or {}
        target = body.get("To") or body.get("chat_id") or (body.get("recipient") or {}).get("id") or body.get("channel")
        return call.provider == provider and str(target) == recipient
    return providers.wait_for(addressed, count=count)


def test_twilio_sms_greeting_arrives_as_plain_text_with_numbered_topics(servers, providers) -> None:
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    status, body = _post_twilio(_twilio_form(sender, "hello"))
    assert status == 200 and "<Response>" in body
    expected = _sms_bodies(_rest_reply("hello"))
    calls = _sent_to(providers, "twilio", sender, count=len(expected))
    assert [call.body for call in calls] == [{"To": sender, "From": TWILIO_NUMBER, "Body": text} for text in expected]
    assert calls[0].path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert calls[0].headers["Authorization"].startswith("Basic ")  # account SID and auth token
    last = calls[-1].body["Body"]
    assert last.endswith("\n\n" + numbered_options(_greeting_buttons()))
    assert greeting(NEUTRAL_CLINIC) in [call.body["Body"].split("\n\n")[0] for call in calls]
    assert all(len(call.body["Body"]) <= 1600 and "**" not in call.body["Body"] for call in calls)


def test_twilio_a_number_picks_that_option(servers, providers) -> None:
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    _post_twilio(_twilio_form(sender, "hi"))
    greeted = len(_sent_to(providers, "twilio", sender, count=1))
    safety_position = [payload for _, payload in _greeting_buttons()].index("/ask_safety") + 1
    assert _post_twilio(_twilio_form(sender, str(safety_position)))[0] == 200
    expected = _sms_bodies(_rest_reply("/ask_safety"))
    calls = _sent_to(providers, "twilio", sender, count=greeted + len(expected))[greeted:]
    assert [call.body["Body"] for call in calls] == expected
    assert calls[-1].body["Body"].endswith(safety.professional_recommendation(NEUTRAL_CLINIC))


def test_twilio_whatsapp_is_answered_from_the_whatsapp_number(servers, providers) -> None:
    sender = f"whatsapp:+4477{uuid.uuid4().int % 10**8:08d}"
    assert _post_twilio(_twilio_form(sender, "what is mesotherapy?"))[0] == 200
    expected = _sms_bodies(_rest_reply("what is mesotherapy?"))
    calls = _sent_to(providers, "twilio", sender, count=len(expected))
    assert [call.body for call in calls] == [
        {"To": sender, "From": f"whatsapp:{TWILIO_NUMBER}", "Body": text} for text in expected]


@pytest.mark.parametrize("how", ["no signature", "forged", "tampered"])
def test_twilio_refuses_a_request_without_a_valid_signature(servers, providers, how: str) -> None:
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    form = _twilio_form(sender, "hello")
    signature = ""
    if how == "forged":  # signed with another auth token
        signature = RequestValidator(NOT_THE_SECRET).compute_signature(TWILIO_URL, form)
    elif how == "tampered":  # signed, then the text changed on the way
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(TWILIO_URL, form)
        form["Body"] = "something else"
    status, _ = _post_twilio(form, signature)
    assert status == 403
    time.sleep(2)
    assert providers.matching(lambda call: call.body.get("To") == sender) == []


# --- Telegram ----------------------------------------------------------------------------------

def _telegram_update(chat_id: int, text: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "en"}
    return {"update_id": uuid.uuid4().int % 10**9, "message": {
        "message_id": 7, "date": int(time.time()), "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
        "from": user, "text": text}}


def _post_telegram(update: Dict[str, Any], secret: str = TELEGRAM_SECRET) -> int:
    return _post("/webhooks/telegram/webhook", json.dumps(update).encode(),
                 {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})[0]


def _inline_keyboard(buttons: List[Tuple[str, str]]) -> Dict[str, Any]:
    return {"inline_keyboard": [[{"text": title, "callback_data": payload}] for title, payload in buttons]}


def test_telegram_webhook_was_registered_with_its_secret_at_start(servers, providers) -> None:
    [call] = providers.wait_for(lambda call: call.provider == "telegram" and call.method == "setWebhook")
    assert call.path == f"/bot{TELEGRAM_TOKEN}/setWebhook"
    assert call.body["url"] == TELEGRAM_WEBHOOK and call.body["secret_token"] == TELEGRAM_SECRET
    assert json.loads(call.body["allowed_updates"]) == ["message", "edited_message", "callback_query"]


def test_telegram_update_gets_the_reply_with_an_inline_keyboard(servers, providers) -> None:
    chat_id = uuid.uuid4().int % 10**9
    assert _post_telegram(_telegram_update(chat_id, "hello")) == 200
    reply = _rest_reply("hello")
    calls = _sent_to(providers, "telegram", str(chat_id), count=len(reply))
    assert [call.method for call in calls] == ["sendMessage"] * len(reply)
    assert [call.body["text"] for call in calls] == [message["text"] for message in reply]
    assert json.loads(calls[-1].body["reply_markup"]) == _inline_keyboard(_greeting_buttons())
    assert all("reply_markup" not in call.body for call in calls[:-1])


def test_telegram_button_press_is_acknowledged_and_answered(servers, providers) -> None:
    chat_id = uuid.uuid4().int % 10**9
    update = _telegram_update(chat_id, "hello")
    message = update["message"]
    assert _post_telegram(update) == 200  # the greeting offers the button that is pressed
    greeted = len(_sent_to(providers, "telegram", str(chat_id), count=len(_rest_reply("hello"))))
    press = {"update_id": uuid.uuid4().int % 10**9, "callback_query": {"id": f"cb{chat_id}", "from": message["from"], "message": message,
                                                 "chat_instance": "1", "data": "/ask_safety"}}
    assert _post_telegram(press) == 200
    [ack] = providers.wait_for(lambda call: call.method == "answerCallbackQuery"
                               and call.body.get("callback_query_id") == f"cb{chat_id}")
    reply = _rest_reply("/ask_safety")
    calls = _sent_to(providers, "telegram", str(chat_id), count=greeted + len(reply))[greeted:]
    assert [call.body["text"] for call in calls] == [message["text"] for message in reply]
    assert calls[-1].body["text"] == safety.professional_recommendation(NEUTRAL_CLINIC)


@pytest.mark.parametrize("secret", ["", NOT_THE_SECRET])
def test_telegram_refuses_an_update_without_the_secret(servers, providers, secret: str) -> None:
    chat_id = uuid.uuid4().int % 10**9
    assert _post_telegram(_telegram_update(chat_id, "hello"), secret=secret) == 403
    time.sleep(2)
    assert providers.matching(lambda call: str(call.body.get("chat_id")) == str(chat_id)) == []


def _stored_user_texts(database: Path, conversation: str) -> List[str]:
    """The visitor's messages stored in ``conversation`` (the SQL tracker store's events)."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (conversation,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_telegram_redelivered_update_is_acknowledged_and_answered_once(servers, providers) -> None:
    chat_id = uuid.uuid4().int % 10**9
    update = _telegram_update(chat_id, "what is mesotherapy?")
    assert _post_telegram(update) == 200
    assert _post_telegram(update) == 200  # Telegram's retry: the same update_id
    reply = [message["text"] for message in _rest_reply("what is mesotherapy?")]
    calls = _sent_to(providers, "telegram", str(chat_id), count=len(reply))
    assert [call.body["text"] for call in calls] == reply
    assert _stored_user_texts(servers, f"telegram:{chat_id}") == ["what is mesotherapy?"]
    again = {**update, "update_id": update["update_id"] + 1}  # the visitor asks again: a new update
    assert _post_telegram(again) == 200
    calls = _sent_to(providers, "telegram", str(chat_id), count=2 * len(reply))
    assert [call.body["text"] for call in calls] == reply * 2
    assert _stored_user_texts(servers, f"telegram:{chat_id}") == ["what is mesotherapy?"] * 2


# --- Facebook Messenger --------------------------------------------------------------------------

def _mid() -> str:
    """A Messenger message id (unique, as Messenger's are)."""
    return "m_" + uuid.uuid4().hex


def _messenger_event(sender: str, message: Dict[str, Any]) -> Dict[str, Any]:
    now = int(time.time() * 1000)
    return {"object": "page", "entry": [{"id": "PAGE_ID", "time": now, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": "PAGE_ID"}, "timestamp": now, "message": message}]}]}


def _post_messenger(event: Dict[str, Any], secret: str = FACEBOOK_SECRET) -> int:
    body = json.dumps(event).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return _post("/webhooks/facebook/webhook", body,
                 {"Content-Type": "application/json", "X-Hub-Signature-256": signature})[0]


@pytest.mark.parametrize("token,status", [(FACEBOOK_VERIFY, 200), ("wrong", 403)])
def test_messenger_verification_handshake(servers, token: str, status: int) -> None:
    query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"})
    try:
        with urllib.request.urlopen(f"{BASE}/webhooks/facebook/webhook?{query}", timeout=30) as response:
            answer = (response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        answer = (error.code, "")
    assert answer[0] == status and (answer[1] == "1158201444") == (status == 200)


def test_messenger_event_gets_typing_indicators_and_numbered_quick_replies(servers, providers) -> None:
    sender = str(uuid.uuid4().int % 10**15)
    assert _post_messenger(_messenger_event(sender, {"mid": _mid(), "text": "hello"})) == 200
    reply = _rest_reply("hello")
    calls = _sent_to(providers, "facebook", sender, count=len(reply) + 3)
    assert all(call.path == "/me/messages" and call.query == {"access_token": FACEBOOK_PAGE_TOKEN} for call in calls)
    actions = [call.body.get("sender_action") for call in calls]
    assert actions[:2] == ["mark_seen", "typing_on"] and actions[-1] == "typing_off"
    sent = [call.body["message"] for call in calls[2:-1]]
    buttons = _greeting_buttons()
    expected = [{"text": message["text"]} for message in reply]
    expected[-1] = {"text": reply[-1]["text"] + "\n\n" + numbered_options(buttons), "quick_replies": [
        {"content_type": "text", "title": str(number), "payload": payload}
        for number, (_, payload) in enumerate(buttons, start=1)]}
    assert sent == expected
    assert all(call.body["recipient"] == {"id": sender} and call.body["messaging_type"] == "RESPONSE"
               for call in calls[2:-1])


def test_messenger_quick_reply_payload_is_answered(servers, providers) -> None:
    sender = str(uuid.uuid4().int % 10**15)
    assert _post_messenger(_messenger_event(sender, {"mid": _mid(), "text": "hello"})) == 200
    # the greeting offers the quick replies (its messages and three sender actions)
    greeted = len(_sent_to(providers, "facebook", sender, count=len(_rest_reply("hello")) + 3))
    message = {"mid": _mid(), "text": "4", "quick_reply": {"payload": "/ask_safety"}}
    assert _post_messenger(_messenger_event(sender, message)) == 200
    reply = _rest_reply("/ask_safety")
    calls = _sent_to(providers, "facebook", sender, count=greeted + len(reply) + 3)[greeted:]
    assert calls[-2].body["message"]["text"] == safety.professional_recommendation(NEUTRAL_CLINIC)


@pytest.mark.parametrize("how", ["no signature", "wrong secret"])
def test_messenger_refuses_an_event_without_a_valid_signature(servers, providers, how: str) -> None:
    sender = str(uuid.uuid4().int % 10**15)
    event = _messenger_event(sender, {"mid": _mid(), "text": "hello"})
    if how == "no signature":
        status = _post("/webhooks/facebook/webhook", json.dumps(event).encode(), {"Content-Type": "application/json"})[0]
    else:
        status = _post_messenger(event, secret=NOT_THE_SECRET)
    assert status == 403
    time.sleep(2)
    assert providers.matching(lambda call: (call.body.get("recipient") or {}).get("id") == sender) == []


def test_messenger_redelivered_event_is_acknowledged_and_answered_once(servers, providers) -> None:
    sender = str(uuid.uuid4().int % 10**15)
    event = _messenger_event(sender, {"mid": _mid(), "text": "does it hurt?"})
    assert _post_messenger(event) == 200
    assert _post_messenger(event) == 200  # Messenger's retry after a slow answer: the same mid
    reply = [message["text"] for message in _rest_reply("does it hurt?")]
    calls = _sent_to(providers, "facebook", sender, count=len(reply) + 3)  # and mark_seen, typing on/off
    assert [call.body["message"]["text"] for call in calls if "message" in call.body] == reply
    assert [call.body.get("sender_action") for call in calls].count("mark_seen") == 1
    assert _stored_user_texts(servers, f"messenger:{sender}") == ["does it hurt?"]
    assert _post_messenger(_messenger_event(sender, {"mid": _mid(), "text": "does it hurt?"})) == 200
    calls = _sent_to(providers, "facebook", sender, count=2 * (len(reply) + 3))
    assert _stored_user_texts(servers, f"messenger:{sender}") == ["does it hurt?"] * 2


# --- Slack ---------------------------------------------------------------------------------------

def _slack_event(user: str, channel: str, text: str) -> Dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {"token": "verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:8], "event_time": int(time.time()),
            "authorizations": [{"user_id": "UBOT", "is_bot": True}],
            "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                      "ts": ts, "event_ts": ts}}


def _post_slack(payload: Dict[str, Any], secret: str = SLACK_SECRET, form: bool = False) -> Tuple[int, str]:
    """An Events API call (JSON), or with ``form`` an interactivity call (``payload=`` form field)."""
    if form:
        body, content_type = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), \
            "application/x-www-form-urlencoded"
    else:
        body, content_type = json.dumps(payload).encode(), "application/json"
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return _post("/webhooks/slack/webhook", body, {
        "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})


def test_slack_event_gets_mrkdwn_text_and_every_button(servers, providers) -> None:
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    assert _post_slack(_slack_event(user, channel, "hello"))[0] == 200
    reply = _rest_reply("hello")
    calls = _sent_to(providers, "slack", channel, count=len(reply))
    assert all(call.method == "chat.postMessage" for call in calls)
    assert all(call.headers["Authorization"] == f"Bearer {SLACK_TOKEN}" for call in calls)
    assert [call.body["text"] for call in calls] == [message["text"] for message in reply]
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": title}, "value": payload}
               for title, payload in _greeting_buttons()]
    assert calls[-1].body["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": reply[-1]["text"]}},
                                        {"type": "actions", "elements": buttons}]


def test_slack_button_click_is_answered_in_the_same_channel(servers, providers) -> None:
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    click = {"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
             "message": {"ts": f"{time.time():.6f}"}, "actions": [
                 {"type": "button", "action_id": "a1", "block_id": "b1", "value": "/ask_safety",
                  "text": {"type": "plain_text", "text": "Is it safe?"}}]}
    assert _post_slack(click, form=True)[0] == 200
    reply = _rest_reply("/ask_safety")
    calls = _sent_to(providers, "slack", channel, count=len(reply))
    assert calls[-1].body["text"] == safety.professional_recommendation(NEUTRAL_CLINIC)


def test_slack_url_verification_and_bad_signature(servers, providers) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    status, body = _post_slack({"type": "url_verification", "challenge": challenge, "token": "t"})
    assert status == 200 and challenge in body
    channel = "D" + uuid.uuid4().hex[:8].upper()
    assert _post_slack(_slack_event("UXYZ", channel, "hello"), secret=NOT_THE_SECRET)[0] == 400
    time.sleep(2)
    assert providers.matching(lambda call: call.body.get("channel") == channel) == []
