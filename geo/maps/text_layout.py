"""Breaking text into lines for print maps and tables, where matplotlib does not wrap by width."""
from __future__ import annotations

import re
import unicodedata

# A line may break before any wide (Chinese) character and at spaces; a run of Latin letters,
# digits and punctuation stays whole unless it alone is wider than a line.
_TOKENS = re.compile(r"\s+|[^\s\u1100-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+|.", re.S)


def em_width(ch: str) -> float:
    """Chinese (wide) characters are 1 em, and so are “” and others the Chinese font draws wide;
    Latin letters and digits about half of one."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55


def _width(text: str) -> float:
    return sum(map(em_width, text))


def wrap(text: str, ems: float) -> list[str]:
    """Lines no wider than `ems`; every character but the spaces at a break is kept."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if _width(line + token) <= ems or not line.strip():
            line += token
        else:
            lines.append(line.rstrip())
            line = token
        while _width(line) > ems and len(line) > 1:  # a word wider than the line: split it
            cut = len(line) - 1
            while cut > 1 and _width(line[:cut]) > ems:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    return lines + [line.rstrip()] if line.strip() or not lines else lines
