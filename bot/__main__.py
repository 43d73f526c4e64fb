"""``python -m bot``: the project's command line (see :mod:`bot.cli`)."""

import sys

from bot.cli import main

sys.exit(main())
