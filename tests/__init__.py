"""The test suites: a package, so that tests import their shared modules as ``tests.<module>``."""
