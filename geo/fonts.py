"""A Chinese font for the static maps that prints as real text.

The font is Noto Sans CJK SC (SIL OFL), installed from PyPI (noto-cjk-sans-otc). Its outlines
are CFF, which matplotlib would embed in a PDF under a TrueType descriptor that strict viewers
reject. So on first use we subset it to GB2312 plus the characters the caller passes (the
data's text, see geo.maps.static_map.setup_fonts), convert the
outlines to TrueType (quadratic, as fontTools' otf2ttf recipe does), rename the family so it
cannot be confused with the original, and cache the result. PDFs then embed it as Type 42.

The cache is untrusted too: beside each font its size and SHA-256 are recorded, and a font that
does not match (truncated, overwritten, half-copied) is built again. When the cache folder
cannot be written (read-only, full), the font is built once per process into a private
temporary file (matplotlib and the PDF backend read fonts by path) and a warning is logged once.
"""
from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import noto_cjk_sans_otc
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from matplotlib import font_manager

from geo.files import write_atomic
from geo.settings import settings

FAMILY = "GZMap Noto Sans SC"  # each subset gets its own family: FAMILY + its key
SOURCE = Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"
SOURCE_FACE = "Noto Sans CJK SC"
log = logging.getLogger(__name__)
_warned_unwritable = False  # the unwritable-cache warning is logged once per process


def gb2312_chars() -> set[str]:
    """The 7,445 characters of GB 2312 (symbols, 6,763 hanzi), decoded from its byte table."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def _to_truetype(font: TTFont) -> None:
    """CFF outlines -> glyf, in place (fontTools Snippets/otf2ttf.py)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, g in glyphs.items():
        if hasattr(g, "xMin"):
            hmtx[name] = (hmtx[name][0], g.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 3.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont, family: str) -> None:
    names = {1: family, 2: "Regular", 4: f"{family} Regular", 6: family.replace(" ", "") + "-Regular",
             16: family, 17: "Regular"}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)


def _save(out: Path, data: bytes) -> None:
    """The font and its check file, each written atomically: a half-written font is never
    picked up, by any process."""
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, data)
    write_atomic(_check_path(out), _check_text(data))


def _font_bytes(chars: set[str], family: str) -> bytes:
    """The TrueType subset of SOURCE for `chars`, named `family` (the slow part: seconds)."""
    with TTCollection(str(SOURCE), lazy=True) as collection:
        font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SOURCE_FACE)
        options = subset.Options()
        options.layout_features, options.hinting, options.notdef_outline = [], False, True
        options.name_IDs = ["*"]
        sub = subset.Subsetter(options)
        sub.populate(unicodes=[ord(c) for c in chars])
        sub.subset(font)
        _to_truetype(font)
        _rename(font, family)
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()


def _check_path(font: Path) -> Path:
    return font.with_name(font.name + ".sha256")


def _check_text(data: bytes) -> str:
    return f"{len(data)} {hashlib.sha256(data).hexdigest()}\n"


def cached_font_ok(path: Path) -> bool:
    """Whether the cached font at `path` is the one that was written: its size and SHA-256 match
    the check file beside it (hashing a few MB takes milliseconds, once per process)."""
    try:
        expected = _check_path(path).read_text(encoding="ascii").split()
        if len(expected) != 2 or int(expected[0]) != path.stat().st_size:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == expected[1]
    except (OSError, ValueError):
        return False


def _private_copy(data: bytes) -> Path:
    """The font in a temporary file of this process's own, removed when the process ends."""
    fd, name = tempfile.mkstemp(prefix="gzmap-font-", suffix=".ttf")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    atexit.register(Path(name).unlink, missing_ok=True)
    return Path(name)


@lru_cache(maxsize=None)
def chinese_font(extra_text: str = "") -> str:
    """Register the TrueType subset with matplotlib (building it once) and return its family.

    Each subset has a family name of its own: under one shared name matplotlib would keep
    drawing with the first subset registered, and characters only the later one has would
    print as boxes."""
    global _warned_unwritable
    chars = gb2312_chars() | {chr(c) for c in range(0x20, 0x7F)} | set(extra_text) | set("±°–—·“”")
    chars = {c for c in chars if c.isprintable()}
    key = hashlib.sha256("".join(sorted(chars)).encode() + str(SOURCE.stat().st_size).encode()).hexdigest()[:16]
    path = settings().cache / f"gzmap-noto-sans-sc-v2-{key}.ttf"
    family = f"{FAMILY} {key}"
    if not cached_font_ok(path):
        data = _font_bytes(chars, family)
        try:
            _save(path, data)
        except OSError as err:
            # lru_cache keeps the result, so this build is the only one in this process.
            if not _warned_unwritable:
                _warned_unwritable = True
                log.warning("font cache %s cannot be written (%s); the print font is built once per "
                            "process into a temporary file (set GZMAP_CACHE to a writable folder)",
                            path.parent, err.strerror or err)
            path = _private_copy(data)
    font_manager.fontManager.addfont(str(path))
    return family
