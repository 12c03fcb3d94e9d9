"""Text from data/ is untrusted: checked once on the way in, made inert on every way out.

In: `clean_text` normalises to NFC and refuses characters nobody can see or type on purpose
(byte-order marks, zero-width and other format characters, control characters).

Out, one function per kind of output:
- `html_text`: HTML-escaped, and inert for any template engine it may pass through (braces,
  `$`, backticks and backslashes as character references: neither Jinja nor a JavaScript
  template literal can run them);
- `md_text`: literal in Streamlit markdown (headings, captions) for our own texts; it cannot
  stop GitHub-flavoured Markdown from turning bare URLs, `www.` names and e-mail addresses into
  links, so text from links and data goes through `md_code` (a code span, never linked) or
  `md_fill`, or into plain-text elements (st.text, st.code, `html_table`);
- `linked_text`: HTML-escaped text whose plain http(s) URLs, and nothing else, become links;
- `short`: a bounded excerpt for messages and notices;
- `sheet_cell`: a spreadsheet cell that Excel or LibreOffice shows as text, never as a formula
  (OWASP "CSV injection": a leading = + - @ tab or carriage return gets a leading apostrophe);
- `file_name`: one file name inside an output folder, never a path out of it.
Matplotlib draws data text literally because geo.maps.static_map turns mathtext off.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

# Unicode categories refused in data text: control (Cc), format (Cf: U+FEFF, zero-width spaces
# and joiners, direction marks), surrogates (Cs), private use (Co) and unassigned (Cn).
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Letters and symbols that draw as nothing, used to fake an empty or different-looking name:
# the Hangul fillers (choseong, jungseong, compatibility, halfwidth) and the blank braille cell.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Line and paragraph separators (U+2028, U+2029) are line breaks too.
_LINE_BREAKS = re.compile("[ \t]*[\r\n\t\u2028\u2029][ \t\r\n\u2028\u2029]*")
# Characters never refused, in the ranges the plans' text is written in: printable ASCII, Latin-1's
# letters and signs (not U+00AD, a format character), dashes, quotes and other general punctuation
# (not the zero-width and direction characters around them), CJK punctuation, ideographs and
# full-width forms. Text made of them alone needs no look-up per character (a data load's
# ~3,500 texts: 18 → 8 ms); tests/test_hostile_data.py checks every one against the categories.
PLAIN_RANGES = (("\u0020", "\u007e"), ("\u00a0", "\u00ac"), ("\u00ae", "\u00ff"), ("\u2010", "\u2027"),
                ("\u2030", "\u205e"), ("\u3000", "\u303f"), ("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"),
                ("\uff01", "\uff5e"))
_PLAIN = re.compile("[" + "".join(f"{a}-{b}" for a, b in PLAIN_RANGES) + "]*")


def clean_text(value: str) -> str:
    """NFC-normalised, line breaks and tabs folded into one space (as YAML's `>` does), and a
    ValueError naming the first invisible or control character left."""
    text = _LINE_BREAKS.sub(" ", unicodedata.normalize("NFC", value))
    if _PLAIN.fullmatch(text):
        return text
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


def shorten(value: object, limit: int = 80) -> str:
    """At most `limit` characters of `value` (control characters shown as spaces), with … when
    cut: how a message or a notice quotes untrusted text."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(value)[:limit + 1])
    return text if len(text) <= limit else text[:limit - 1] + "…"


def md_code(value: object) -> str:
    """`value` as a Markdown code span: shown literally, with no emphasis, HTML, formula or link
    (GFM links bare URLs and e-mail addresses only in text, never in code). Line breaks become
    spaces (a blank line would end the span), and the fence is longer than any backtick run."""
    text = re.sub(r"[\r\n\u2028\u2029\x00-\x1f\x7f]", " ", str(value))
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# What GFM's autolinking starts from: a scheme (http://, https://), `www.`, or an e-mail
# address (also mailto: and xmpp: ones).
_LINKABLE = re.compile(r"://|www\.|@", re.IGNORECASE)


def md_literal(value: object) -> str:
    """`value` shown literally in Markdown: escaped (`md_text`), or as a code span when it holds
    something GFM would turn into a link however it is escaped."""
    return md_code(value) if _LINKABLE.search(str(value)) else md_text(value)


_FIELD = re.compile(r"\{(\w+)\}")


def md_fill(template: str, *, code: bool = True, **values: object) -> str:
    """Our own template (Markdown-escaped) with `{name}` fields filled by untrusted values: as
    code spans, or (code=False, e.g. in headings) as `md_literal`."""
    parts = _FIELD.split(template)
    quote = md_code if code else md_literal
    return "".join(quote(values[p]) if i % 2 else md_text(p) for i, p in enumerate(parts))


_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^\[\]]+")


def linked_text(value: object) -> str:
    """HTML-escaped text in which each plain http(s) URL becomes a link opening in a new tab;
    nothing else of the text can become markup (for an operator's attribution, which Leaflet
    puts into the page as HTML)."""
    text, out, at = str(value), [], 0
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?)）。，；")
        out.append(html_text(text[at:m.start()]))
        out.append(f'<a href="{html_text(url)}" target="_blank" rel="noopener noreferrer">{html_text(url)}</a>')
        at = m.start() + len(url)
    out.append(html_text(text[at:]))
    return "".join(out)


TABLE_CSS = ("table.gz-table{border-collapse:collapse;width:100%;font-size:0.9rem;margin-bottom:1rem}"
             ".gz-table th,.gz-table td{border:1px solid rgba(49,51,63,.2);padding:.3rem .5rem;"
             "text-align:left;vertical-align:top;white-space:pre-wrap}"
             ".gz-table thead th{background:rgba(49,51,63,.06)}")


def html_table(*, columns: list[str], rows: list[list[object]], links: Sequence[str] | None = None,
               css_class: str = "gz-table") -> str:
    """A table of plain text (escaped; no Markdown, so nothing in a cell becomes a link or bold),
    with its style, for st.html; the first column is the row's header, a link to `links[i]` (a
    URL the caller built, escaped too) when given."""
    def first(i: int, v: object) -> str:
        return f'<a href="{html_text(links[i])}" target="_self">{html_text(v)}</a>' if links else html_text(v)

    head = "".join(f"<th>{html_text(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<th>{first(r, v)}</th>" if i == 0 else f"<td>{html_text(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for r, row in enumerate(rows))
    return (f'<style>{TABLE_CSS}</style><table class="{html_text(css_class)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


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
