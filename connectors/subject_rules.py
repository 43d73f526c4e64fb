"""A Rasa NLU component: the intent of a message that names another treatment, or pregnancy.

Runs after the intent classifier and the fallback classifier (config.yml) and applies
:class:`bot.nlp.subject_rules.SubjectRules`: a message that names another treatment and nothing of
mesotherapy (data/other_subjects.yml) becomes ``out_of_scope`` ("Is PRP therapy painful?"), or
``ask_comparison`` when it compares ("botox or mesotherapy?"); a question that mentions a personal
health condition (pregnancy, allergies...) asks who should not have mesotherapy; the other rules of
that module likewise. A message the classifier was unsure about only between two safety questions
takes the likelier one, with the pair's confidence; a price question whose "how much" asks an amount of
something else takes the classifier's next reading. The classifier's ranking follows the new intent,
so the review inbox still shows what it thought. Any other message keeps the classifier's intent.

In config.yml: ``- name: connectors.subject_rules.SubjectRulesClassifier`` with optional
``subjects`` and ``vocabulary`` paths (relative to the project).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.subject_rules import SubjectRules
from bot.settings import PROJECT_ROOT
from bot.topics import intent_table


def _scores(ranking: List[Dict[Text, Any]]) -> List[Tuple[str, float]]:
    """Rasa's intent ranking as (intent, confidence) pairs."""
    return [(str(entry.get(INTENT_NAME_KEY)), float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)) for entry in ranking]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SubjectRulesClassifier(GraphComponent, IntentClassifier):
    """Sets the intent the subject rules decide (another treatment, a personal condition, openings...)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the treatment names and the domain vocabulary are."""
        return {"subjects": "data/other_subjects.yml", "vocabulary": "data/vocabulary.yml"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Load the treatment names and the intent table."""
        self._rules = SubjectRules.load(
            PROJECT_ROOT / config["subjects"], PROJECT_ROOT / config["vocabulary"], intent_table()
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SubjectRulesClassifier":
        """Create the component (nothing to train)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the rules' intent on the messages they decide."""
        for message in messages:
            classified = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            text, scores = message.get(TEXT) or "", _scores(ranking)
            intent = self._rules.intent_for(text, classified)
            decided = (
                (intent, 1.0)
                if intent
                else self._rules.safety_answer_when_unsure(classified, scores)
                or self._rules.reading_when_no_price_is_asked(text, classified, scores)
            )
            if decided is None:
                continue
            chosen = {INTENT_NAME_KEY: decided[0], PREDICTED_CONFIDENCE_KEY: decided[1]}
            ranking = [r for r in ranking if r.get(INTENT_NAME_KEY) != decided[0]]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
