"""Build and load our spaCy pipeline: tokenizer, lookup lemmatizer, sentencizer, entity ruler.

Official pretrained models cannot be downloaded here, so the pipeline is assembled from a
blank English model, the lemma tables of ``spacy-lookups-data`` and our vocabulary file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler

from bot.nlp.vocabulary import Vocabulary

PIPELINE_NAME = "mesotherapy_en"
_FINGERPRINT_FILE = "vocabulary.sha256"


def build_pipeline(vocabulary: Vocabulary) -> Language:
    """Assemble the pipeline in memory from ``vocabulary``."""
    nlp = spacy.blank("en")
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = "Mesotherapy assistant: lookup lemmas, sentences, domain entities"
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    ruler = cast(
        EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    )
    nlp.initialize()  # loads the lemma tables, which the patterns are tokenised with
    ruler.add_patterns(
        [
            {"label": label, "pattern": phrase.replace("’", "'"), "id": canonical}
            for label, canonical, phrase in vocabulary.phrases()
        ]
    )
    return nlp


def vocabulary_fingerprint(vocabulary_path: Path) -> str:
    """Hash of the vocabulary file and spaCy version, to skip rebuilding an up-to-date pipeline."""
    digest = hashlib.sha256(Path(vocabulary_path).read_bytes())
    digest.update(spacy.__version__.encode())
    return digest.hexdigest()


def ensure_pipeline(vocabulary_path: Path, output_dir: Path) -> bool:
    """Build the pipeline into ``output_dir`` unless it is current. Return True if built."""
    fingerprint = vocabulary_fingerprint(vocabulary_path)
    stamp = Path(output_dir) / _FINGERPRINT_FILE
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    nlp = build_pipeline(Vocabulary.load(vocabulary_path))
    Path(output_dir).parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    stamp.write_text(fingerprint + "\n")
    return True


def load_pipeline(model_dir: Path) -> Language:
    """Load a pipeline previously written by :func:`ensure_pipeline`."""
    return spacy.load(model_dir)
