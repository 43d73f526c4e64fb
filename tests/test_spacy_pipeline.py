"""Our spaCy pipeline: synonyms map to canonical names, lemmas and sentences work offline."""
from pathlib import Path

from bot.nlp.pipeline import ensure_pipeline


def _entities(nlp, text):
    return [(ent.label_, ent.ent_id_) for ent in nlp(text).ents]


def test_synonyms_map_to_canonical_conditions(nlp):
    assert _entities(nlp, "my hair thinning is bad") == [("condition", "hair loss")]
    assert _entities(nlp, "Double chin and love handles") == [("condition", "fat deposits"), ("condition", "fat deposits")]
    assert _entities(nlp, "crow's feet?") == [("condition", "wrinkles")]


def test_other_domain_entities(nlp):
    found = _entities(nlp, "bruises after vitamins on my forehead from a dermatologist")
    assert found == [
        ("side_effect", "bruising"),
        ("ingredient", "vitamins"),
        ("body_area", "face"),
        ("practitioner", "board-certified dermatologist"),
    ]


def test_practitioners_the_guide_does_not_name_keep_their_own_names(nlp):
    # ninth session's probe: a nurse, a GP and a dentist were all a "licensed professional" the guide recommends
    assert _entities(nlp, "can a nurse or my GP or a dentist do it") == [
        ("practitioner", "nurse"), ("practitioner", "general practitioner"), ("practitioner", "dentist")]


def test_lemmas_and_sentences(nlp):
    doc = nlp("The injections were stinging. Bruises faded.")
    assert [t.lemma_.lower() for t in doc][:4] == ["the", "injection", "be", "sting"]
    assert len(list(doc.sents)) == 2


def test_pipeline_is_rebuilt_only_when_vocabulary_changes(tmp_path: Path):
    vocabulary = tmp_path / "vocabulary.yml"
    vocabulary.write_text("condition:\n  hair loss: [balding]\n")
    target = tmp_path / "pipeline"
    assert ensure_pipeline(vocabulary, target) is True
    assert ensure_pipeline(vocabulary, target) is False
    vocabulary.write_text("condition:\n  hair loss: [balding, alopecia]\n")
    assert ensure_pipeline(vocabulary, target) is True
