"""Breaking text into lines for print tables, where matplotlib does not wrap by width."""
from __future__ import annotations

import textwrap
import unicodedata


def em_width(ch: str) -> float:
    """Chinese (wide) characters are 1 em; Latin letters and digits about half of one."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55


def wrap(text: str, ems: float) -> list[str]:
    """Lines no wider than `ems`; every character is kept."""
    if text.isascii():  # break at spaces, not inside a number
        return textwrap.wrap(text, max(int(ems / 0.55), 4)) or [""]
    lines, line, width = [], "", 0.0
    for ch in text:
        if width + em_width(ch) > ems and line:
            lines.append(line)
            line, width = "", 0.0
        line += ch
        width += em_width(ch)
    return lines + [line] if line or not lines else lines
