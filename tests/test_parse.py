"""The guide parser reads layout, not one guide's wording."""
from bot.knowledge.parse import parse_guide
from tests.support import GUIDE_TEXT


def test_shipped_guide_has_title_sections_and_one_bullet_list():
    guide = parse_guide(GUIDE_TEXT)
    assert guide.title == "Everything You Need to Know About Mesotherapy"
    headings = [section.heading for section in guide.sections]
    assert headings[1:] == [
        "What Exactly Does Mesotherapy Mean?",
        "What Are Mesotherapy Cocktails?",
        "What Results Can Be Achieved with Mesotherapy?",
        "Is Mesotherapy Safe?",
        "What Can You Expect During a Mesotherapy Treatment?",
        "How Long Do Results Last?",
    ]
    lists = [b for s in guide.sections for b in s.blocks if b.kind == "bullet_list"]
    assert len(lists) == 1
    assert lists[0].items == ["Fat deposits", "Wrinkles and fine lines", "Acne scars", "Stretch marks", "Hair loss"]


def test_other_layouts_windows_newlines_star_bullets_and_no_title():
    text = (
        "Mesotherapy is a procedure.\r\nIt uses small injections.\r\n\r\n"
        "Aftercare\r\n\r\n* Avoid make-up for a day.\r\n* Drink water.\r\n\r\nThat is all."
    )
    guide = parse_guide(text, fallback_title="notes")
    assert guide.title == "notes"
    assert guide.sections[0].blocks[0].items == ["Mesotherapy is a procedure. It uses small injections."]
    aftercare = guide.sections[1]
    assert aftercare.heading == "Aftercare"
    assert [b.kind for b in aftercare.blocks] == ["bullet_list", "paragraph"]
    assert aftercare.blocks[0].items == ["Avoid make-up for a day.", "Drink water."]


def test_empty_guide_gives_no_sections():
    assert parse_guide("", fallback_title="empty").sections == []
