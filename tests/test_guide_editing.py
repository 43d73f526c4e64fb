"""A clinic edits its guide and the intent table, no Python: trained, served and asked over REST.

One copy of the project's data gets a new section with a new topic and its training examples,
loses the section on how long results last, and gains a second guide; the real servers then
answer from that copy.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml

from bot.maintain.servers import serving
from bot.http_json import request_json
from bot.maintain.endpoints import write_endpoints
from bot.settings import PROJECT_ROOT, load_settings, process_environment

FIXTURES = Path(__file__).parent / "fixtures"
MAKEUP_SECTION = "Can I Wear Make-up on the Treated Skin?"
MAKEUP_ANSWER = "Wait one full day before you apply make-up to the treated skin, and use clean brushes when you do."
MAKEUP_WORDS = re.compile(r"\bmake[\s-]?up\b", re.IGNORECASE)
MAKEUP_EXAMPLES = [
    "can I wear make-up after mesotherapy?", "when can i put makeup on again", "is make up ok after the injections",
    "can i wear foundation after my session", "how soon can I use makeup on my face after treatment",
    "makeup after meso?", "can I apply concealer on the treated skin", "is it ok to wear cosmetics the same day",
    "when is it safe to put on make-up after mesotherapy", "can i do my makeup after the treatment",
    "wearing makeup after mesotherapy", "how long before i can wear make up",
]

pytestmark = [pytest.mark.servers, pytest.mark.slow]


def _move_out_examples(nlu_dir: Path, words: "re.Pattern[str]") -> List[str]:
    """Delete the examples that match ``words`` from every training file of ``nlu_dir``; their texts."""
    moved: List[str] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            item = line.strip()
            if item.startswith("- ") and words.search(item):
                moved.append(item[2:])
            else:
                kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    return moved


def _edited_copy(work: Path) -> Dict[str, str]:
    """Copy data/ and domain.yml into ``work`` and edit them as a clinic would; the settings to serve them."""
    data = work / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    guide = data / "guide" / "mesotherapy-guide.txt"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text[: text.index("How Long Do Results Last?")] + f"{MAKEUP_SECTION}\n\n{MAKEUP_ANSWER}\n",
                     encoding="utf-8")
    shutil.copy(FIXTURES / "example-aftercare-sheet.txt", data / "guide")
    table = yaml.safe_load((data / "topics.yml").read_text(encoding="utf-8"))
    table["topics"].append({"key": "makeup", "intent": "ask_makeup", "button": "Make-up afterwards?",
                            "sections": [MAKEUP_SECTION], "silent": "wearing make-up after a treatment"})
    (data / "topics.yml").write_text(yaml.safe_dump(table, sort_keys=False), encoding="utf-8")
    moved = _move_out_examples(data / "nlu", MAKEUP_WORDS)  # they were aftercare examples: now the new topic's
    unique: Dict[str, str] = {}
    for example in MAKEUP_EXAMPLES + moved:
        unique.setdefault(example.lower(), example)
    examples = "".join(f"      - {example}\n" for example in unique.values())
    (data / "nlu" / "makeup.yml").write_text(f'version: "3.1"\nnlu:\n  - intent: ask_makeup\n    examples: |\n{examples}',
                                            encoding="utf-8")
    with (data / "rules.yml").open("a", encoding="utf-8") as rules:
        rules.write("  - rule: answer ask_makeup\n    steps:\n      - intent: ask_makeup\n      - action: action_answer\n")
    domain = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    (work / "domain.yml").write_text(domain.replace("intents:\n", "intents:\n  - ask_makeup\n", 1), encoding="utf-8")
    return {"MESO_GUIDE_DIR": str(data / "guide"), "MESO_TOPICS": str(data / "topics.yml"),
            "MESO_NLU_DIR": str(data / "nlu"), "MESO_DATABASE_URL": f"sqlite:///{work / 'knowledge.db'}",
            "MODEL": str(work / "models" / "clinic.tar.gz"), "RASA_PORT": "5605", "ACTION_PORT": "5655",
            "RASA_AUTH_TOKEN": uuid.uuid4().hex}


@pytest.fixture(scope="module")
def clinic_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("clinic")
    env = process_environment(RASA_TELEMETRY_ENABLED="false", **_edited_copy(work))
    subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "rasa"), "train", "--data", str(work / "data"),
                    "--domain", str(work / "domain.yml"), "--config", str(PROJECT_ROOT / "config.yml"),
                    "--out", str(work / "models"), "--fixed-model-name", "clinic", "--quiet"],
                   cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=900)
    settings = load_settings(env)
    env["ENDPOINTS"] = str(write_endpoints(work / "endpoints.yml", settings, f"sqlite:///{work / 'conversations.db'}"))
    with serving(env):
        yield f"{settings.rasa_url}/webhooks/rest/webhook"


def _ask(url: str, text: str) -> List[str]:
    answer = request_json("POST", url, {"sender": uuid.uuid4().hex, "message": text}).json(empty=[])
    return [message.get("text", "") for message in answer]


def test_a_new_section_with_a_topic_and_examples_is_answered_without_code(clinic_servers):
    reply = _ask(clinic_servers, "can I wear makeup after mesotherapy?")
    assert reply[0] == f'From "Everything You Need to Know About Mesotherapy": {MAKEUP_ANSWER}'  # two guides: cited


def test_a_removed_section_is_said_to_be_missing_not_invented(clinic_servers):
    reply = _ask(clinic_servers, "how long do results last?")
    assert reply[0] == "The guide I answer from does not say anything about how long results last."


def test_with_two_guides_answers_say_which_guide_they_come_from(clinic_servers):
    reply = "\n".join(_ask(clinic_servers, "what happens after the treatment?"))
    assert 'From "Everything You Need to Know About Mesotherapy": After your treatment' in reply
    assert 'From "Example Clinic Aftercare Sheet": After your session, follow the written aftercare' in reply
