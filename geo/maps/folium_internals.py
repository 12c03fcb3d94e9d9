"""What the web map borrows from folium's element tree (branca's private `_children` and `_id`),
in one place: neither offers a public way to list an element's children or to set its id.
Checked at import against the versions requirements.txt pins; subclassing MacroElement with
`_name` and `_template` is branca's documented extension API and stays where it is used."""
from __future__ import annotations

from collections.abc import Iterator

import branca
import folium

from geo.pins import require_pinned

require_pinned("folium", user=__file__, installed=folium.__version__)
require_pinned("branca", user=__file__, installed=branca.__version__)


def walk(element: folium.Element) -> Iterator[folium.Element]:
    """The element and everything under it, depth first in insertion order."""
    yield element
    for child in element._children.values():
        yield from walk(child)


def stable_ids(element: folium.Element, prefix: str) -> None:
    """Number the elements instead of folium's random ids: the same map then renders to the same
    bytes, and Streamlit sends a rerun's unchanged map as a reference to the browser's copy.
    Templates also use the names children were added under, so those follow."""
    counter = iter(range(1 << 30))
    element._id = f"{prefix}{next(counter):x}"
    queue = [element]
    while queue:
        el = queue.pop(0)
        body = getattr(el, "html", None)  # a popup's body hangs beside its children
        for holder in [el] + ([body] if isinstance(body, folium.Element) else []):
            renamed: dict[str, folium.Element] = {}
            for key, child in holder._children.items():
                old = child.get_name()
                child._id = f"{prefix}{next(counter):x}"
                renamed[child.get_name() if key == old else key] = child
                queue.append(child)
            holder._children = type(holder._children)(renamed)
            if holder is not el:
                holder._id = f"{prefix}{next(counter):x}"
