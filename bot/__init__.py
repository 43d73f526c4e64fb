"""Domain library of the mesotherapy assistant.

It knows nothing of Rasa: the knowledge base (schema, build, queries), our spaCy
pipeline, the answers and the safety policy can be used and tested alone.
"""
