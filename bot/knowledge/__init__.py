"""Knowledge base built from the guide: schema, parsing, fact extraction, build and queries."""
