"""Fill a deploy/ template: ``python3 deploy/render.py TEMPLATE OUT NAME=VALUE...``.

Each ``@@NAME@@`` of the template is replaced by its value (values may span lines); a name left
without a value is an error, so a rendered file never keeps a placeholder. Standard library only:
a real host can render the templates with its system Python.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path


def render(template: str, values: dict) -> str:
    """The template with every ``@@NAME@@`` replaced; ``KeyError`` names a missing value."""
    missing = sorted(set(re.findall(r"@@([A-Z0-9_]+)@@", template)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return re.sub(r"@@([A-Z0-9_]+)@@", lambda match: values[match.group(1)], template)


def main(argv: list) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    template, out = Path(argv[0]), Path(argv[1])
    values = dict(item.split("=", 1) for item in argv[2:])
    try:
        text = render(template.read_text(encoding="utf-8"), values)
    except KeyError as error:
        print(f"error: {template}: {error.args[0]}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
