"""Bad-input campaign (issue 10, item 8) against the real servers started by scripts/serve.sh.

More than 10,000 generated bad inputs: 9,800 through REST (16 at a time) and 300 through
socket.io (the widget's channel, 8 sockets at a time). Kinds: empty, whitespace, 1 MB text, a body
over the size limit, binary and control characters (lone surrogates too), invalid UTF-8 bytes in
the body, emoji only, RTL text, other languages, HTML/script markup, SQL, JSON fragments,
``/intent{...}`` payloads, wrong JSON types for every field, missing fields, huge JSON nesting, bad
senders and content types. Every REST request comes from its own loopback address (127.2.x.y: the
rate limits exempt 127.0.0.1 alone, and every other address is limited) and each conversation gets
at most 5 messages (the per-conversation limit allows bursts of 10), so no request is refused for
its rate. The widget's sockets come from 127.0.0.1 (exempt) and each asks for its own session.

Asserted: no 5xx; every request whose body is a JSON object with a valid ``sender`` gets a
non-empty reply list (or, for the kinds where either is right, a 4xx with a message); every other
request a 4xx with a message; no "I'm having trouble" reply (the action server never failed);
every socket.io message answered; both servers still running, the same processes as before the
campaign (scripts/serve.sh would have restarted a crashed action server); and the Rasa server's
resident memory grew by less than ``RSS_GROWTH_BOUND_MB``. Counts by kind and status are printed.
4 min 18 s in one run on the 2-core development machine, shared with other work (2026-11-26).
"""
from __future__ import annotations

import asyncio
import collections
import http.client
import json
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from bot.clinic.profile import trouble_message
from bot.maintain.servers import is_action_server, is_rasa_server, serving
from bot.settings import PROJECT_ROOT, load_clinic, load_settings
from tests.support import widget_socket

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
SETTINGS = load_settings()
RASA_PORT = SETTINGS.rasa_port
TROUBLE = trouble_message(load_clinic())
MAX_SENDER_CHARS = 128  # connectors/rest.py
RUN = uuid.uuid4().hex[:6]
# The Rasa server may grow by the trackers it keeps (connectors/tracker_store.py keeps at most 1,000
# conversations; the campaign's are a few events of at most 1,000 characters each: tens of MB), its
# rate-limit buckets (one per address and conversation: a few MB) and the allocator's arenas after
# hundreds of 1 MB bodies decoded 16 at a time (tens of MB). 300 MB is well above that and well
# below what keeping the 400 1 MB bodies (or their decoded text, 4x in Python) would cost.
RSS_GROWTH_BOUND_MB = 300.0
REST_WORKERS, SOCKET_WORKERS = 16, 8

pytestmark = [
    pytest.mark.servers,
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"), reason="no trained model: run `make train` first"),
]

# --- what visitors might type -----------------------------------------------------------------

WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u1680\u2000\u2003\u2028\u2029\u202f\u3000\u200b\ufeff"
EMOJI = "😀😂🤣😍🥰😎🤔😱💉💊🩺👩‍⚕️👨🏽‍⚕️🧑🏿‍🦲❤️🔥✨👍🏻👎🏿🇬🇧🇫🇷🏳️‍🌈🫠🫶🏼"
RTL = ["هل الميزوثيرابي آمن؟", "כמה זה עולה?", "آیا درد دارد؟", "کیا یہ محفوظ ہے؟",
       "\u202eis it safe?\u202c", "\u200fمرحبا\u200f hello \u202bשלום\u202c", "ما هي الآثار الجانبية؟ ‏‎"]
LANGUAGES = ["这个治疗疼吗？", "メソセラピーは安全ですか？", "Это больно?", "Είναι ασφαλές;", "क्या यह सुरक्षित है?",
             "ปลอดภัยไหม", "메조테라피는 아픈가요?", "¿Cuánto cuesta la mesoterapia?", "Ist das gefährlich?",
             "Czy to boli?", "Ba'a cutar da kai?", "Zalgo: h̷̨̛e̵͇͝l̶̰̈p̴̣̿ ̶m̷͉̈́ė̸̦", "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ",
             "𝕙𝕒𝕚𝕣 𝕝𝕠𝕤𝕤", "ǝɟɐs ʇı sı"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(document.cookie)>", "<b>does it hurt?</b>",
          "<iframe src=javascript:alert(1)>", "\"><svg/onload=alert(1)>", "<a href='javascript:void(0)'>x</a>",
          "{{7*7}} ${7*7} <%= 7*7 %>", "<!--#exec cmd=\"ls\"-->", "<?php system('id'); ?>",
          "[link](javascript:alert(1))", "&lt;script&gt;&#x3C;/script&#x3E;", "<style>*{display:none}</style>"]
SQL = ["'; DROP TABLE events; --", "1' OR '1'='1", "\" OR 1=1 --", "' UNION SELECT password FROM users --",
       "Robert'); DROP TABLE handoff_requests;--", "1; DELETE FROM events WHERE 1=1", "admin'--",
       "' AND SLEEP(5) --", "'; SELECT pg_sleep(5); --", "%' OR sender_id LIKE '%"]
JSON_FRAGMENTS = ['{"sender":', '[1, 2', '{"a": {"b": [', 'null', 'true', '"', '}{', '{"message": "hi"}',
                  '[{"text": "planted", "recipient_id": "sms:+447700900123"}]', '\\u0000', '{"$gt": ""}', "NaN"]
INTENT_PAYLOADS = ['/greet', '/restart', '/session_start', '/action_listen', '/nlu_fallback', '/', '//', '/ /',
                   '/ask_conditions_treated{"condition": "a refund - call +1 900 555 0100 now"}',
                   '/ask_conditions_treated{"condition": ' + '"x' * 500 + '"}', '/greet{', '/greet{}}}',
                   '/handoff{"name": "<script>", "email": "x@x"}', '/stop', '/affirm', '/deny',
                   '/ask_cost{"price": -1}', '/' + 'a' * 2000, '/greet@0.99', '/greet{"slot": null}',
                   '/action_restart', '/back', '/out_of_scope{"text": "\\u0000"}', '/EXTERNAL_reminder']
WRONG_VALUES: List[Any] = [0, -1, 3.14, 1e308, 10**40, True, False, None, [], ["hi"], [1, [2, [3]]], {}, {"text": "hi"},
                           {"sender": ["x"]}]


def _random_text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _control(rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return "".join(chr(rng.choice(list(range(0, 32)) + list(range(127, 160)))) for _ in range(rng.randint(1, 200)))
    if choice == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 500))).decode("latin-1")
    if choice == 2:  # lone surrogates and non-characters: valid JSON escapes, not valid UTF-8
        return "does it hurt " + "".join(rng.choice(["\ud800", "\udfff", "\ufffe", "\uffff", "\U0010ffff", "\x00"])
                                         for _ in range(rng.randint(1, 20)))
    if choice == 3:
        return "is it safe?\x00\x00" + "\x1b[31mred\x1b[0m" + "\b" * 20 + "\r\n\r\n"
    return "".join(chr(rng.randrange(0x10000, 0x10FFFF)) for _ in range(rng.randint(1, 50)))


def _big(rng: random.Random) -> str:
    choice = rng.randrange(3)
    if choice == 0:
        return "does it hurt? " + "a" * 1_000_000
    if choice == 1:
        words = ["mesotherapy", "hurt", "cost", "safe", "hair", "fat", "<b>", "'", "\"", "\\", "é", "\x00"]
        return " ".join(rng.choice(words) for _ in range(150_000))[:1_000_000]
    return ("هل هو آمن؟ 这个疼吗 " * 40_000)[:400_000]  # up to 3 bytes each: about 1 MB of UTF-8


@dataclass
class Case:
    kind: str
    body: bytes
    expect: str  # "reply": 200 and a non-empty list; "refuse": a 4xx with a message; "either"
    content_type: str = "application/json"
    sender: Optional[str] = None


def _json_case(kind: str, payload: Any, expect: Optional[str] = None) -> Case:
    sender = payload.get("sender") if isinstance(payload, dict) else None
    valid = isinstance(sender, str) and bool(sender.strip()) and len(sender) <= MAX_SENDER_CHARS
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "backslashreplace")  # a lone surrogate: a \ud800 escape
    return Case(kind, body, expect or ("reply" if valid else "refuse"),
                sender=sender if valid else None)


def rest_case(index: int) -> Case:
    """The ``index``-th bad input: its kind from the index, its content from a generator seeded by it."""
    rng = random.Random(index)
    sender = f"bad-{RUN}-{index // 5}"  # at most 5 messages a conversation
    kind = REST_KINDS[index % len(REST_KINDS)]
    if kind == "empty":
        return _json_case(kind, {"sender": sender, "message": ""})
    if kind == "whitespace":
        return _json_case(kind, {"sender": sender, "message": _random_text(rng, WHITESPACE, 1, 300)})
    if kind == "1 MB text":
        return _json_case(kind, {"sender": sender, "message": _big(rng)})
    if kind == "over the size limit":
        return Case(kind, json.dumps({"sender": sender, "message": "a" * 3_000_000}).encode(), "refuse")
    if kind == "control and binary":
        return _json_case(kind, {"sender": sender, "message": _control(rng)})
    if kind == "invalid UTF-8":
        junk = bytes(rng.randrange(128, 256) for _ in range(rng.randint(1, 100)))
        bodies = [b'{"sender": "' + sender.encode() + b'", "message": "' + junk + b'"}',
                  b'{"sender": "' + junk + b'", "message": "hi"}', junk, b"\xef\xbb\xbf" + junk,
                  b'{"sender": "' + sender.encode() + b'", "message": "\xed\xa0\x80 surrogate"}',
                  json.dumps({"sender": sender, "message": "hi"}).encode("utf-16")]
        body = rng.choice(bodies)
        # refused when not UTF-8; encoded surrogates (CESU) and UTF-16 are read (the text made valid), like
        # the rare random bytes that happen to be UTF-8
        return Case(kind, body, "refuse" if body.startswith(junk) else "either")
    if kind == "emoji only":
        return _json_case(kind, {"sender": sender, "message": _random_text(rng, EMOJI, 1, 60)})
    if kind == "RTL text":
        return _json_case(kind, {"sender": sender, "message": rng.choice(RTL)})
    if kind == "other languages":
        return _json_case(kind, {"sender": sender, "message": rng.choice(LANGUAGES)})
    if kind == "HTML and script":
        return _json_case(kind, {"sender": sender, "message": rng.choice(MARKUP)})
    if kind == "SQL":
        return _json_case(kind, {"sender": sender, "message": rng.choice(SQL)})
    if kind == "JSON fragments":
        fragment = rng.choice(JSON_FRAGMENTS)
        if rng.random() < 0.5:  # as the text of a message
            return _json_case(kind, {"sender": sender, "message": fragment})
        body = fragment if rng.random() < 0.5 else '{"sender": "' + sender + '", "message": ' + fragment
        try:
            parsed = json.loads(body)
        except ValueError:
            return Case(kind, body.encode(), "refuse")
        return _json_case(kind, parsed)
    if kind == "intent payloads":
        return _json_case(kind, {"sender": sender, "message": rng.choice(INTENT_PAYLOADS)})
    if kind == "wrong types":
        value = rng.choice(WRONG_VALUES)
        field = rng.randrange(4)
        if field == 0:
            return _json_case(kind, {"sender": value, "message": "is it safe?"})
        if field == 1:  # not a string: read as no text, answered like an empty message
            return _json_case(kind, {"sender": sender, "message": value})
        if field == 2:
            return _json_case(kind, {"sender": value, "message": rng.choice(WRONG_VALUES)})
        return _json_case(kind, rng.choice([value, [{"sender": sender, "message": "hi"}], "hi", sender]))
    if kind == "missing fields":
        payload = rng.choice([{}, {"sender": sender}, {"message": "hi"}, {"Sender": sender, "Message": "hi"},
                              {"sender": sender, "text": "hi"}, {"user": sender, "message": "hi"}])
        return _json_case(kind, payload)
    if kind == "huge nesting":
        depth = rng.choice([50, 1_000, 100_000])
        nested = "[" * depth + "]" * depth
        where = rng.choice([0, 0, 0, 1, 2])
        if where == 0:
            body = nested
        elif where == 1:
            body = '{"sender": "' + sender + '", "message": ' + nested + "}"
        else:
            body = '{"sender": "' + sender + '", "message": "hi", "metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
        return Case(kind, body.encode(), "refuse" if where == 0 else "either",
                    sender=None if where == 0 else sender)
    if kind == "bad senders":
        choice = rng.randrange(6)
        if choice == 0:
            return _json_case(kind, {"sender": "x" * rng.choice([129, 1_000, 100_000]), "message": "hi"})
        if choice == 1:
            return _json_case(kind, {"sender": _random_text(rng, WHITESPACE, 0, 20), "message": "hi"})
        odd = rng.choice(["sms:+447700900123", "../../etc/passwd", "'; DROP TABLE events; --", "<script>",
                          "😀" * 10, "שלום", "\x00\x01", "%00", "default", "rest:rest:x", "web:abc.def"])
        return _json_case(kind, {"sender": f"{odd}-{RUN}-{index}", "message": "hello"})
    # wrong content types and methods of encoding
    choice = rng.randrange(4)
    if choice == 0:
        return Case(kind, f"sender={sender}&message=hi".encode(), "refuse", "application/x-www-form-urlencoded")
    if choice == 1:
        return Case(kind, b"", "refuse")
    if choice == 2:
        return Case(kind, json.dumps({"sender": sender, "message": "hi"}).encode(), "either", "text/plain", sender)
    return Case(kind, b"--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--b--", "refuse",
                "multipart/form-data; boundary=b")


# Each kind in turn; malformed requests (refused before Rasa, cheap) more often than visitor text.
REST_KINDS = (["empty", "whitespace", "control and binary", "emoji only", "RTL text", "other languages",
               "HTML and script", "SQL", "JSON fragments", "intent payloads", "bad senders", "1 MB text"]
              + ["invalid UTF-8", "wrong types", "missing fields", "content types", "huge nesting"] * 4
              + ["invalid UTF-8", "wrong types"])
REST_COUNT = 9_800
OVER_LIMIT_EVERY = 500  # every 500th request is a 3 MB body instead (refused with 413)


def _address(index: int) -> str:
    return f"127.2.{index // 250}.{index % 250 + 1}"


def send(index: int) -> Tuple[Case, int, Any]:
    """POST the ``index``-th case from its own address: (case, status, decoded body or text)."""
    case = rest_case(index)
    if index % OVER_LIMIT_EVERY == OVER_LIMIT_EVERY - 1:
        case = Case("over the size limit", json.dumps({"sender": "x", "message": "a" * 3_000_000}).encode(), "refuse")
    connection = http.client.HTTPConnection("127.0.0.1", RASA_PORT, timeout=120, source_address=(_address(index), 0))
    try:
        connection.request("POST", "/webhooks/rest/webhook", case.body, {"Content-Type": case.content_type})
        answer = connection.getresponse()
        status, content = answer.status, answer.read()
    except (ConnectionError, http.client.HTTPException):
        if case.kind == "over the size limit":  # Sanic answered 413 and closed before the whole body was sent
            return case, 413, "closed after 413"
        raise
    finally:
        connection.close()
    try:
        decoded: Any = json.loads(content)
    except ValueError:
        decoded = content.decode("utf-8", "replace")
    return case, status, decoded


def _has_message(body: Any) -> bool:
    if isinstance(body, dict):  # ours: "error"; Sanic's (413): "message"
        return any(isinstance(body.get(key), str) and bool(body[key].strip()) for key in ("error", "message"))
    if isinstance(body, list):
        return bool(body) and isinstance(body[0], dict) and bool(str(body[0].get("text", "")).strip())
    return isinstance(body, str) and bool(body.strip())


def _is_reply(body: Any) -> bool:
    return (isinstance(body, list) and bool(body)
            and all(isinstance(message, dict) and (message.get("text") or message.get("buttons") or message.get("image"))
                    for message in body))


# --- socket.io --------------------------------------------------------------------------------

SOCKET_COUNT = 300
SOCKET_KINDS: List[Tuple[str, Callable[[random.Random], Any]]] = [
    ("empty", lambda rng: {"message": ""}),
    ("whitespace", lambda rng: {"message": _random_text(rng, WHITESPACE, 1, 100)}),
    ("control and binary", lambda rng: {"message": _control(rng)}),
    ("emoji only", lambda rng: {"message": _random_text(rng, EMOJI, 1, 40)}),
    ("RTL text", lambda rng: {"message": rng.choice(RTL)}),
    ("other languages", lambda rng: {"message": rng.choice(LANGUAGES)}),
    ("HTML and script", lambda rng: {"message": rng.choice(MARKUP)}),
    ("SQL", lambda rng: {"message": rng.choice(SQL)}),
    ("JSON fragments", lambda rng: {"message": rng.choice(JSON_FRAGMENTS)}),
    ("intent payloads", lambda rng: {"message": rng.choice(INTENT_PAYLOADS)}),
    ("wrong types", lambda rng: {"message": rng.choice(WRONG_VALUES), "metadata": rng.choice(WRONG_VALUES + ["{", "[]"])}),
    ("wrong types", lambda rng: rng.choice(["is it safe?", ["is it safe?"], 42, None, True, b"\x00\xff binary"])),
    ("missing fields", lambda rng: rng.choice([{}, {"text": "hi"}, {"session_id": "x"}])),
    ("huge nesting", lambda rng: {"message": "hi", "metadata": json.loads("[" * 100 + "]" * 100)}),
    ("1 MB text", lambda rng: {"message": _big(rng)}),
]
BAD_SESSIONS: List[Any] = [None, "", "x", "session-1", "rest:me", "sms:+447700900123", "a.b", "a" * 10_000, 42, [],
                           {"id": 1}, "0" * 32 + "." + "0" * 64]


async def socket_case(index: int, limit: asyncio.Semaphore) -> Tuple[str, str]:
    """One widget socket: ask for a bad session id, send one bad message: (kind, outcome)."""
    rng = random.Random(100_000 + index)
    kind, make = SOCKET_KINDS[index % len(SOCKET_KINDS)]
    if kind == "1 MB text" and index % (3 * len(SOCKET_KINDS)) != len(SOCKET_KINDS) - 1:
        kind, make = SOCKET_KINDS[0]  # a third of the turns of "1 MB text": 6 of them
    async with limit:
        async with widget_socket(RASA_PORT) as socket:
            if index % 4:  # most ask for a (bad) session first; the rest send at once
                await socket.client.emit("session_request", {"session_id": rng.choice(BAD_SESSIONS)})
                await asyncio.wait_for(socket.got_session.wait(), 60)
            data = make(rng)
            sessions = socket.sessions
            if isinstance(data, dict) and index % 2:
                data = {**data, "session_id": sessions[-1] if sessions and index % 3 else rng.choice(BAD_SESSIONS)}
            await socket.client.emit("user_uttered", data)
            try:
                await asyncio.wait_for(socket.got_reply.wait(), 60)
            except asyncio.TimeoutError:
                return kind, "no reply"
            replies = socket.replies
            first = replies[0] if isinstance(replies[0], dict) else {}
            text = str(first.get("text", ""))
            if TROUBLE in text:
                return kind, "trouble reply"
            return kind, "answered" if text.strip() or first.get("quick_replies") else "empty reply"


async def socket_campaign() -> List[Tuple[str, str]]:
    limit = asyncio.Semaphore(SOCKET_WORKERS)
    results = await asyncio.gather(*(socket_case(index, limit) for index in range(SOCKET_COUNT)),
                                   return_exceptions=True)
    return [result if isinstance(result, tuple) else ("?", f"error: {result!r}") for result in results]


# --- the campaign -----------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def servers():
    env = dict(os.environ)
    env.pop("RASA_AUTH_TOKEN", None)
    with serving(env) as running:
        yield running


def test_ten_thousand_bad_inputs_get_no_5xx_no_crash_an_answer_and_bounded_memory(servers):
    rasa_pids, action_pids = servers.pids(is_rasa_server), servers.pids(is_action_server)
    assert rasa_pids and action_pids
    for index in range(40):  # warm up: the NLU, the action server, the knowledge base
        connection = http.client.HTTPConnection("127.0.0.1", RASA_PORT, timeout=120)
        connection.request("POST", "/webhooks/rest/webhook",
                           json.dumps({"sender": f"warm-{RUN}-{index // 5}", "message": "is it safe?"}).encode(),
                           {"Content-Type": "application/json"})
        assert connection.getresponse().status == 200
        connection.close()
    rss_before = sum(_rss_mb(pid) for pid in rasa_pids)
    action_rss_before = sum(_rss_mb(pid) for pid in action_pids)

    started = time.monotonic()
    counts: Dict[Tuple[str, int], int] = collections.Counter()
    failures: List[str] = []
    lock = threading.Lock()

    def check(index: int) -> None:
        try:
            case, status, body = send(index)
        except (OSError, http.client.HTTPException) as error:  # the server closed or did not answer
            case = rest_case(index)
            case, status, body = Case(case.kind, case.body, case.expect), 0, repr(error)
        problem = None
        if status == 0:
            problem = "no HTTP answer"
        elif status >= 500:
            problem = "5xx"
        elif case.expect == "reply" and not (status == 200 and _is_reply(body)):
            problem = "no reply"
        elif case.expect == "refuse" and not (400 <= status < 500 and _has_message(body)):
            problem = "not refused with a message"
        elif case.expect == "either" and not ((status == 200 and _is_reply(body))
                                              or (400 <= status < 500 and _has_message(body))):
            problem = "neither a reply nor a refusal with a message"
        elif status == 200 and isinstance(body, list) and any(TROUBLE in str(m.get("text", "")) for m in body):
            problem = "trouble reply"
        with lock:
            counts[(case.kind, status)] += 1
            if problem:
                failures.append(f"#{index} {case.kind}: {problem}: HTTP {status} {str(body)[:200]!r} "
                                f"for {case.body[:120]!r}")

    with ThreadPoolExecutor(max_workers=REST_WORKERS) as pool:
        list(pool.map(check, range(REST_COUNT)))
    rest_s = time.monotonic() - started
    socket_results = asyncio.run(socket_campaign())
    elapsed = time.monotonic() - started

    still_running = servers.alive() and servers.pids(is_rasa_server) == rasa_pids \
        and servers.pids(is_action_server) == action_pids
    rss_after = sum(_rss_mb(pid) for pid in rasa_pids)
    action_rss_after = sum(_rss_mb(pid) for pid in action_pids)

    print(f"\n{REST_COUNT} REST requests in {rest_s:.0f} s, {SOCKET_COUNT} socket.io messages, "
          f"{elapsed:.0f} s in all")
    by_kind: Dict[str, Dict[int, int]] = collections.defaultdict(dict)
    for (kind, status), number in sorted(counts.items()):
        by_kind[kind][status] = number
    for kind, statuses in by_kind.items():
        print(f"  REST {kind:22} {sum(statuses.values()):5}  " + ", ".join(f"{s}: {n}" for s, n in statuses.items()))
    by_status: Dict[int, int] = collections.Counter()
    for (_, status), number in counts.items():
        by_status[status] += number
    print("  REST by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items())))
    socket_counts = collections.Counter(socket_results)
    for (kind, outcome), number in sorted(socket_counts.items()):
        print(f"  socket.io {kind:17} {outcome}: {number}")
    print(f"  Rasa server RSS {rss_before:.0f} -> {rss_after:.0f} MB (+{rss_after - rss_before:.0f}); "
          f"action server {action_rss_before:.0f} -> {action_rss_after:.0f} MB; "
          f"servers still running: {still_running}")
    for failure in failures[:30]:
        print("  FAILED", failure)

    assert sum(counts.values()) + len(socket_results) >= 10_000
    assert not [status for status in by_status if status >= 500]
    assert not failures, f"{len(failures)} failures, first: {failures[:5]}"
    assert all(outcome == "answered" for _, outcome in socket_results), socket_counts
    assert still_running
    assert rss_after - rss_before < RSS_GROWTH_BOUND_MB
