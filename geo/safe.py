"""Text from data/ is untrusted: checked once on the way in, made inert on every way out.

In: `clean_text` normalises to NFC and refuses characters nobody can see or type on purpose
(byte-order marks, zero-width and other format characters, control characters).

Out, one function per kind of output:
- `html_text`: HTML-escaped, and inert for the template engines around it: folium renders
  popup and tooltip HTML through Jinja a second time (so `{{`, `{%`, `{#` would run on the
  server) and places popups in a JavaScript template literal (so `${`, backticks and
  backslashes would run in the browser);
- `md_text`: literal in Streamlit markdown (headings, captions);
- `sheet_cell`: a spreadsheet cell that Excel or LibreOffice shows as text, never as a formula
  (OWASP "CSV injection": a leading = + - @ tab or carriage return gets a leading apostrophe).
Matplotlib draws data text literally because geo.maps.static_map turns mathtext off.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Unicode categories refused in data text: control (Cc), format (Cf: U+FEFF, zero-width spaces
# and joiners, direction marks), surrogates (Cs), private use (Co) and unassigned (Cn).
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn"}
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\t][ \t\r\n]*")


def clean_text(value: str) -> str:
    """NFC-normalised, line breaks and tabs folded into one space (as YAML's `>` does), and a
    ValueError naming the first invisible or control character left."""
    text = _LINE_BREAKS.sub(" ", unicodedata.normalize("NFC", value))
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in _REFUSED:
            name = unicodedata.name(ch, "unnamed character")
            raise ValueError(f"contains the invisible or control character U+{ord(ch):04X} ({name}) "
                             f"at position {i + 1}: delete it (it often comes from copying out of "
                             "Word, a web page or a PDF)")
    return text


_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;",
                             "\\": "&#92;"})


def html_text(value: object) -> str:
    """Escaped for HTML and inert for Jinja and JavaScript template literals."""
    return html.escape(str(value), quote=True).translate(_HTML_EXTRA)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


def md_text(value: object) -> str:
    """Shown literally by Streamlit's markdown (no emphasis, links, HTML or formulas)."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(value: object) -> object:
    """A cell value that a spreadsheet cannot read as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
