"""Extensions of Rasa itself (channels), kept apart from the domain library ``bot``."""
