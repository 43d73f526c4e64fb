"""Parse a plain-text guide into a title, sections, paragraphs and bullet lists.

The rules are about layout only, so a maintainer can edit the guide or add another one:
- blocks are separated by blank lines;
- a block of one short line with no closing full stop is a heading (the first is the title);
- lines starting with ``-``, ``*``, ``•`` or ``1.`` are bullet items; consecutive bullet
  blocks form one list;
- any other block is a paragraph (its lines are joined).
Text before the first heading after the title belongs to an introduction section titled
with the document title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List

HEADING_MAX_CHARS = 120
_BULLET = re.compile(r"^\s*(?:[-*•‣–]|\d+[.)])\s*")
_CLOSING = (".", ":", ";", ",")


@dataclass
class ParsedBlock:
    """A paragraph (one item: its text) or a bullet list (one item per bullet)."""

    kind: str
    items: List[str]


@dataclass
class ParsedSection:
    heading: str
    blocks: List[ParsedBlock] = field(default_factory=list)


@dataclass
class ParsedGuide:
    title: str
    sections: List[ParsedSection]


def _is_bullet_block(lines: List[str]) -> bool:
    return all(_BULLET.match(line) for line in lines)


def _is_heading(lines: List[str]) -> bool:
    if len(lines) != 1:
        return False
    line = lines[0].strip()
    return 0 < len(line) <= HEADING_MAX_CHARS and not line.endswith(_CLOSING)


def _split_blocks(text: str) -> List[List[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_guide(text: str, fallback_title: str = "Guide") -> ParsedGuide:
    """Parse guide ``text``; ``fallback_title`` is used when it has no title line."""
    raw_blocks = _split_blocks(text)
    title = fallback_title
    if raw_blocks and _is_heading(raw_blocks[0]):
        title = raw_blocks.pop(0)[0]
    sections: List[ParsedSection] = []
    for lines in raw_blocks:
        if _is_heading(lines) and not _is_bullet_block(lines):
            sections.append(ParsedSection(heading=lines[0]))
            continue
        if not sections:
            sections.append(ParsedSection(heading=title))
        blocks = sections[-1].blocks
        if _is_bullet_block(lines):
            items = [_BULLET.sub("", line).strip() for line in lines]
            if blocks and blocks[-1].kind == "bullet_list":
                blocks[-1].items.extend(items)
            else:
                blocks.append(ParsedBlock("bullet_list", items))
        else:
            blocks.append(ParsedBlock("paragraph", [" ".join(lines)]))
    return ParsedGuide(title=title, sections=[s for s in sections if s.blocks])
