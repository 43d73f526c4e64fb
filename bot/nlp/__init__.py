"""Our own spaCy pipeline (no pretrained model is downloaded) and its vocabulary."""
