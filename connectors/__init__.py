"""Extensions of Rasa itself (channels, tracker store), kept apart from the domain library ``bot``.

The Rasa server imports this package for the channels listed in credentials.yml; importing it
also speeds up Rasa's check of the action server's responses (see ``action_validation``).
"""
from connectors import action_validation

action_validation.install()
