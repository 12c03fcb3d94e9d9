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
  (OWASP "CSV injection": a leading = + - @ tab or carriage return gets a leading apostrophe);
- `file_name`: one file name inside an output folder, never a path out of it.
Matplotlib draws data text literally because geo.maps.static_map turns mathtext off.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Unicode categories refused in data text: control (Cc), format (Cf: U+FEFF, zero-width spaces
# and joiners, direction marks), surrogates (Cs), private use (Co) and unassigned (Cn).
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Letters and symbols that draw as nothing, used to fake an empty or different-looking name:
# the Hangul fillers (choseong, jungseong, compatibility, halfwidth) and the blank braille cell.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Line and paragraph separators (U+2028, U+2029) are line breaks too.
_LINE_BREAKS = re.compile("[ \t]*[\r\n\t\u2028\u2029][ \t\r\n\u2028\u2029]*")


def clean_text(value: str) -> str:
    """NFC-normalised, line breaks and tabs folded into one space (as YAML's `>` does), and a
    ValueError naming the first invisible or control character left."""
    text = _LINE_BREAKS.sub(" ", unicodedata.normalize("NFC", value))
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in _REFUSED or ch in _INVISIBLE:
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


# What no file name made from data may hold: path separators and what Windows forbids, control
# characters; names Windows reserves for devices; a length every file system takes (255 bytes
# is the usual limit, minus room for a stem's suffix and extension).
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                   *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 120


def file_name_problem(name: str) -> str | None:
    """Why `name` cannot be one file name inside a folder, or None when it can."""
    if not name.strip():
        return "is empty"
    if (bad := _UNSAFE_IN_NAME.search(name)) is not None:
        return f"holds {bad.group()!r}, which a file name cannot hold (a path separator or reserved character)"
    if ".." in name or name != name.strip(" ."):
        return "holds '..' or starts or ends with a dot or a space"
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        return f"is a device name Windows reserves ({name.split('.')[0]})"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None


def file_name(name: str) -> str:
    """`name` when it is a safe single file name; ValueError saying why not otherwise."""
    if (problem := file_name_problem(name)) is not None:
        raise ValueError(f"file name {name[:60]!r} {problem}")
    return name
