"""The title block's texts, the same on the web map (gz-title.js, the layout document's `title`)
and on every print (geo.maps.print_block): the map's title, the data's revision with its date,
the documents the map follows (their short titles from data/documents.yaml) and the 审图号 when
the operator sets one (GZMAP_REVIEW_NUMBER). The date beside the revision is the data's own
(data/edition.yaml), never a file's modification time (a fresh clone would show its own day).
"""
from __future__ import annotations

from geo.data.model import CheckedLayout
from geo.data.records import citations
from geo.i18n import Lang, join, t
from geo.safe import html_text
from geo.settings import settings


def cited_documents(checked: CheckedLayout, doc: str | None = None) -> list[str]:
    """The documents (keys of checked.documents, in their order) the entries cite; `doc` itself
    when the map shows one document's reading (000, the explanatory note, places nothing the map
    draws, and is still what that map follows)."""
    if doc is not None:
        return [doc]
    cited = {src.doc for e in checked.entries.values() for _, src in citations(e)}
    return [d for d in checked.documents if d in cited]


def title_texts(checked: CheckedLayout, *, lang: Lang, doc: str | None = None) -> dict[str, str]:
    """The block's texts, plain: title, revision (with the data's date), documents, review (the
    审图号 line, or "" when none is configured)."""
    number = settings().review_number.strip()
    docs = [checked.document_label(d, lang) for d in cited_documents(checked, doc)]
    return {
        "title": t("print.title", lang, where=t("print.city", lang)),
        "revision": t("title.dated", lang, revision=t("data.revision", lang, revision=checked.revision),
                      date=f"{checked.edition.date:%Y-%m-%d}"),
        "documents": t("title.documents", lang, docs=join(docs, lang)) if docs else "",
        "review": t("title.review_number", lang, number=number) if number else "",
    }


def title_block(checked: CheckedLayout, *, lang: Lang, doc: str | None = None) -> dict[str, str]:
    """The texts for the web map, escaped for HTML (gz-title.js puts them in the page as they are)."""
    return {k: html_text(v) for k, v in title_texts(checked, lang=lang, doc=doc).items()}
