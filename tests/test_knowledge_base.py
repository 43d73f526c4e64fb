"""Building the knowledge base from the guide, on SQLite and on the local PostgreSQL."""
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.knowledge import extract, query
from bot.knowledge.build import build_knowledge_base, guide_files
from bot.topics import intent_table
from bot.knowledge.schema import Document, Fact, Sentence


def _build(engine, guide_dir: Path, nlp, **kwargs):
    return build_knowledge_base(engine, guide_files(guide_dir), nlp, **kwargs)


def _values(session, kind, subject=None):
    return [row.value for row in query.facts(session, kind, subject=subject)]


def test_structured_facts_of_the_guide(engine, guide_dir, nlp):
    _build(engine, guide_dir, nlp)
    with Session(engine) as session:
        assert set(query.treated_conditions(session)) == {
            "fat deposits", "wrinkles", "acne scars", "stretch marks", "hair loss", "cellulite",
        "aging skin"}  # "can also be used as a preventative measure to slow the aging process" (outside probe)
        assert query.treated_conditions(session)["wrinkles"] == "Wrinkles and fine lines"
        assert set(_values(session, "ingredient")) >= {"vitamins", "minerals", "amino acids", "enzymes"}
        assert set(_values(session, "side_effect", "common")) == {"bruising", "swelling", "pain"}
        assert set(_values(session, "side_effect", "rare")) == {"infection", "allergic reactions", "tissue damage"}
        assert set(_values(session, "practitioner")) >= {
            "licensed professional", "board-certified dermatologist", "plastic surgeon"}
        assert _values(session, "session_duration") == ["30 minutes to an hour"]
        after = {(row.subject, row.value) for row in query.facts(session, "after_effect")}
        assert after == {("redness", "within a few hours"), ("swelling", "within a few hours"),
                         ("bruising", "up to a week")}
        assert "over the course of several weeks" in _values(session, "results_onset")
        assert set(_values(session, "results_duration")) == {"not permanent", "several months or even years"}
        definitions = query.facts(session, "definition", subject="mesotherapy")
        assert definitions[0].sentence.startswith("Mesotherapy is a minimally invasive procedure that involves")


def test_every_topic_has_sentences_from_the_guide(engine, guide_dir, nlp):
    _build(engine, guide_dir, nlp)
    guide_text = (guide_dir / "mesotherapy-guide.txt").read_text()
    with Session(engine) as session:
        for topic in (entry.key for entry in intent_table().topics):
            rows = query.topic_sentences(session, topic)
            assert rows, topic
            assert all(row.text in guide_text for row in rows), topic


def test_rebuild_skips_unchanged_and_replaces_stale_rows(engine, guide_dir, nlp):
    assert _build(engine, guide_dir, nlp).documents == {"mesotherapy-guide.txt": "built"}
    assert _build(engine, guide_dir, nlp).documents == {"mesotherapy-guide.txt": "unchanged"}
    guide = guide_dir / "mesotherapy-guide.txt"
    guide.write_text(guide.read_text().replace("30 minutes to an hour", "45 minutes to two hours"))
    assert _build(engine, guide_dir, nlp).documents == {"mesotherapy-guide.txt": "built"}
    with Session(engine) as session:
        assert _values(session, "session_duration") == ["45 minutes to two hours"]
        assert session.execute(select(func.count(Document.id))).scalar_one() == 1
        assert session.execute(
            select(func.count(Sentence.id)).where(Sentence.text.contains("30 minutes"))).scalar_one() == 0


def test_second_guide_is_added_and_a_removed_guide_is_dropped(engine, guide_dir, nlp):
    extra = guide_dir / "aftercare.txt"
    extra.write_text("Aftercare Tips\n\nAvoid the sauna\n\nMesotherapy can also be used as a treatment for "
                     "stretch marks on the thighs. Swelling may last up to three days.\n")
    report = _build(engine, guide_dir, nlp)
    assert report.documents == {"aftercare.txt": "built", "mesotherapy-guide.txt": "built"}
    with Session(engine) as session:
        assert ("swelling", "up to three days") in {(r.subject, r.value) for r in query.facts(session, "after_effect")}
    extra.unlink()
    assert _build(engine, guide_dir, nlp).documents == {"mesotherapy-guide.txt": "unchanged", "aftercare.txt": "removed"}
    with Session(engine) as session:
        assert "up to three days" not in _values(session, "after_effect")


def test_failed_build_keeps_the_previous_knowledge_base(engine, guide_dir, nlp, monkeypatch):
    _build(engine, guide_dir, nlp)
    with Session(engine) as session:
        facts_before = session.execute(select(func.count(Fact.id))).scalar_one()
    guide = guide_dir / "mesotherapy-guide.txt"
    guide.write_text(guide.read_text() + "\n\nA new paragraph.\n")

    def broken(*args, **kwargs):
        raise RuntimeError("extraction failed")

    monkeypatch.setattr(extract, "extract_facts", broken)
    with pytest.raises(RuntimeError):
        _build(engine, guide_dir, nlp)
    with Session(engine) as session:
        assert session.execute(select(func.count(Fact.id))).scalar_one() == facts_before
        assert session.execute(select(func.count(Document.id))).scalar_one() == 1


def test_rebuild_reports_what_changed_in_the_guide(engine, guide_dir, nlp):
    _build(engine, guide_dir, nlp)
    guide = guide_dir / "mesotherapy-guide.txt"
    guide.write_text(guide.read_text().replace("30 minutes to an hour", "45 minutes")
                     .replace("-Stretch marks", "-Stretch marks\n\n-Cellulite")
                     .replace("How Long Do Results Last?", "How Long Will My Results Last?"))
    diff = _build(engine, guide_dir, nlp).diffs["mesotherapy-guide.txt"]
    assert diff.sections_added == ["How Long Will My Results Last?"]
    assert diff.sections_removed == ["How Long Do Results Last?"]
    assert "session_duration(session): 45 minutes" in diff.facts_added
    assert "session_duration(session): 30 minutes to an hour" in diff.facts_removed
    assert "treats(Cellulite): cellulite" in diff.facts_added
    assert "+ fact: session_duration(session): 45 minutes" in diff.lines()


def test_a_sentence_pointing_back_in_time_is_quoted_only_for_its_own_section(engine, guide_dir, nlp):
    _build(engine, guide_dir, nlp)
    with Session(engine) as session:
        cocktails = [row.text for row in query.topic_sentences(session, "cocktails")]
        procedure = [row.text for row in query.topic_sentences(session, "procedure")]
    # "During this time, the medical professional will ... injecting a cocktail": "this time" is the treatment
    assert not any(text.startswith("During this time") for text in cocktails)
    assert any(text.startswith("During this time") for text in procedure)
    assert any(text.startswith("Mesotherapy cocktails are a mix") for text in cocktails)
