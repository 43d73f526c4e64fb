"""The website widget in a real headless Chromium, against the real servers (scripts/serve.sh).

Ports: RASA_PORT (5005) and ACTION_PORT (5055). Chromium: Debian's /usr/bin/chromium
(`make chromium` installs it), driven by Playwright for Python (no downloaded browser).
The tests run in file order and share one browser page: each step continues the conversation
of the one before, as a visitor would.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.maintain.servers import ServeScript
from bot.settings import PROJECT_ROOT, load_settings, process_environment

MODEL = PROJECT_ROOT / "models" / "mesotherapy.tar.gz"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BASE = load_settings().rasa_url  # RASA_PORT, as the servers read it
DEMO = f"{BASE}/widget/demo.html"
REPORTS = PROJECT_ROOT / "reports" / "widget"
ANSWER_TIMEOUT_MS = 60_000
XSS = "<img src=x onerror=alert(1)>"

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.servers,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.exists() and not os.environ.get("CI"),
                       reason="no trained model: run `make train` first"),
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                       reason=f"no Chromium at {CHROMIUM}: run `make chromium`"),
]


@pytest.fixture(scope="module")
def servers():
    """scripts/serve.sh; a test crashes the Rasa server and starts them again."""
    env = process_environment()
    env.pop("RASA_AUTH_TOKEN", None)
    env.pop("WIDGET_ALLOWED_ORIGINS", None)  # the default: the demo page's own origin
    runner = ServeScript(env).start().wait_until_ready()
    yield runner
    runner.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(servers, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


def bot_texts(page):
    return page.locator(".meso-msg-bot .meso-bubble").all_inner_texts()


def wait_for_bot_text(page, needle: str, after: int = 0) -> None:
    """Wait until a bot message past the first ``after`` ones contains ``needle``."""
    page.wait_for_function(
        """([needle, after]) => Array.from(document.querySelectorAll('.meso-msg-bot .meso-bubble'))
              .slice(after).some(b => b.textContent.includes(needle))""",
        arg=[needle, after], timeout=ANSWER_TIMEOUT_MS,
    )


def settle(page, quiet_ms: int = 1500) -> None:
    """Wait until no bot message has arrived for ``quiet_ms`` (a reply can be several)."""
    count, since = -1, time.monotonic()
    deadline = since + ANSWER_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        now = len(bot_texts(page))
        if now != count:
            count, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(100)


def session_id(page):
    return page.evaluate(
        "() => { for (const k of Object.keys(localStorage)) if (k.endsWith('.sessionId')) "
        "return JSON.parse(localStorage.getItem(k)); return null; }"
    )


def local_storage(page) -> str:
    """Everything the widget keeps in the browser's localStorage, as one text."""
    return page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")


def plant_last_message_time(page, hours_ago: float) -> None:
    """Pretend the chat's last message was ``hours_ago`` hours ago."""
    page.evaluate(
        "(ms) => { for (const k of Object.keys(localStorage)) if (k.endsWith('.savedAt')) "
        "localStorage.setItem(k, JSON.stringify(Date.now() - ms)); }",
        hours_ago * 3600 * 1000,
    )


def send(page, text: str) -> int:
    before = len(bot_texts(page))
    page.fill(".meso-input", text)
    page.press(".meso-input", "Enter")
    return before


# --- HTTP ------------------------------------------------------------------------------------

def test_widget_files_are_served_and_other_origins_are_refused(servers):
    for name, kind in [("widget.js", "javascript"), ("widget.css", "text/css"),
                       ("demo.html", "text/html"), ("socket.io.min.js", "javascript")]:
        with urllib.request.urlopen(f"{BASE}/widget/{name}", timeout=10) as response:
            assert response.status == 200 and kind in response.headers["Content-Type"]
            if name == "socket.io.min.js":
                assert b"Socket.IO v4." in response.read(200)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{BASE}/widget/..%2Fcredentials.yml", timeout=10)
    assert error.value.code == 404
    handshake = f"{BASE}/socket.io/?EIO=4&transport=polling"
    refused = urllib.request.Request(handshake, headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 400
    allowed = urllib.request.Request(handshake, headers={"Origin": BASE})
    with urllib.request.urlopen(allowed, timeout=10) as response:
        assert response.status == 200


# --- the browser -----------------------------------------------------------------------------

def test_open_widget_shows_greeting_and_topic_buttons(page):
    page.goto(DEMO)
    launcher = page.locator(".meso-launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-label")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    greeting_at_ms = page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.meso-msg-bot .meso-bubble'))
              .some(b => b.textContent.includes('mesotherapy assistant')) && performance.now()""",
        timeout=ANSWER_TIMEOUT_MS,
    ).json_value()
    assert launcher.get_attribute("aria-expanded") == "true"
    log = page.locator(".meso-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.evaluate("document.activeElement && document.activeElement.id") == "meso-input"
    buttons = page.locator(".meso-quick-reply")
    buttons.first.wait_for()
    assert buttons.count() == 8
    assert all(buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count()))
    for control in (".meso-close", ".meso-new", ".meso-send"):
        assert page.locator(control).get_attribute("aria-label")
    REPORTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPORTS / "open-widget.png"))
    (REPORTS / "timing.json").write_text(json.dumps({"page_load_to_greeting_ms": round(greeting_at_ms)}))
    print(f"\npage load (navigation start) to greeting visible: {greeting_at_ms:.0f} ms")


def test_topic_button_gets_the_guides_answer(page):
    before = len(bot_texts(page))
    page.get_by_role("button", name="What is in the cocktails?").click()
    page.locator(".meso-msg-user .meso-bubble", has_text="What is in the cocktails?").wait_for()
    wait_for_bot_text(page, "vitamins, minerals", after=before)


def test_safety_question_recommends_a_licensed_professional(page):
    before = send(page, "is it safe?")
    wait_for_bot_text(page, "licensed professional", after=before)
    settle(page)
    assert "licensed professional" in bot_texts(page)[-1]
    assert page.locator(".meso-typing").is_hidden()


def test_reload_continues_the_conversation(page):
    settle(page)
    session = session_id(page)
    texts = bot_texts(page)
    page.reload()
    page.locator(".meso-panel").wait_for(state="visible")  # the panel stays open in this tab
    assert bot_texts(page) == texts
    assert page.locator(".meso-msg-user .meso-bubble", has_text="is it safe?").count() == 1
    assert session_id(page) == session
    # The server side continues too: the follow-up is answered in the same session.
    before = send(page, "how long do results last?")
    wait_for_bot_text(page, "", after=before)
    assert session_id(page) == session


def test_escape_closes_and_focus_returns_to_the_launcher(page):
    page.locator(".meso-input").focus()
    page.keyboard.press("Escape")
    assert page.locator(".meso-panel").is_hidden()
    assert page.evaluate("document.activeElement.className") == "meso-launcher"
    page.locator(".meso-launcher").click()
    assert page.locator(".meso-panel").is_visible()
    assert page.evaluate("document.activeElement.id") == "meso-input"


def test_new_conversation_clears_it_and_gets_a_new_session(page):
    old = session_id(page)
    page.locator(".meso-new").click()
    wait_for_bot_text(page, "mesotherapy assistant")
    assert page.locator(".meso-msg-user").count() == 0
    assert len(bot_texts(page)) == 1
    new = session_id(page)
    assert new and new != old
    assert "is it safe?" not in local_storage(page)  # gone from the browser too
    page.reload()
    page.locator(".meso-panel").wait_for(state="visible")
    assert page.locator(".meso-msg-user").count() == 0 and len(bot_texts(page)) == 1


def test_markup_in_a_message_is_shown_as_text(page):
    before = send(page, XSS)
    page.locator(".meso-msg-user .meso-bubble").last.wait_for()
    wait_for_bot_text(page, "", after=before)
    assert page.locator(".meso-msg-user .meso-bubble").last.inner_text() == XSS
    assert page.locator(".meso-log img").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_history_is_kept_a_day_after_the_last_message_then_forgotten(page):
    before = send(page, "is it painful?")
    wait_for_bot_text(page, "", after=before)
    settle(page)
    session = session_id(page)
    plant_last_message_time(page, 23)
    page.reload()
    page.locator(".meso-panel").wait_for(state="visible")
    assert page.locator(".meso-msg-user .meso-bubble", has_text="is it painful?").count() == 1
    assert session_id(page) == session
    plant_last_message_time(page, 25)
    page.reload()
    page.locator(".meso-panel").wait_for(state="visible")
    wait_for_bot_text(page, "mesotherapy assistant")  # the greeting of a new conversation
    assert page.locator(".meso-msg-user").count() == 0
    assert "is it painful?" not in local_storage(page)
    assert session_id(page) not in (None, session)


def test_usable_on_a_375px_wide_screen(page):
    page.set_viewport_size({"width": 375, "height": 667})
    page.wait_for_timeout(200)
    for selector in (".meso-panel", ".meso-input", ".meso-send", ".meso-close"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 667, (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    REPORTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPORTS / "open-widget-375px.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_unreachable_then_reconnects_and_answers(page, servers):
    servers.kill_rasa_server()
    page.locator(".meso-msg-system", has_text="unreachable").wait_for(timeout=30_000)
    servers.start().wait_until_ready()
    page.locator(".meso-msg-system", has_text="Reconnected").wait_for(timeout=60_000)
    before = send(page, "what is mesotherapy?")
    wait_for_bot_text(page, "mesotherapy", after=before)
