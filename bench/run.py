"""Timings and peak memory of the main paths, printed (targets live here, not in tests).

    python bench/run.py
"""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(label: str, fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<46} {best * 1000:9.1f} ms")
    return result


def main() -> None:
    from geo.data.validate import load_checked, validate
    from geo.maps.webmap import build_map
    from layers import build_layers

    checked = timed("load data + schema + geography (app start)", load_checked, 5)
    timed("full validate incl. citations", validate, 3)
    layers = timed("build all layers", lambda: build_layers(checked), 5)
    html = timed("folium map, rendered (every rerun)", lambda: build_map(checked, layers).get_root().render(), 3)
    print(f"{'map document size':<46} {len(html) / 1024:9.1f} KiB")
    from geo.maps import fonts

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GZMAP_CACHE"] = tmp  # a cold font cache
        fonts.chinese_font.cache_clear()
        from geo.maps.static_map import export_map, setup_fonts

        timed("CJK TrueType subset, cold (once per machine)", lambda: setup_fonts(checked))

        for fmt in ("png", "svg", "pdf"):
            data = timed(f"export-map city {fmt}", lambda fmt=fmt: export_map(checked, layers, None, fmt))
            print(f"{'  size':<46} {len(data) / 1024:9.1f} KiB")
        timed("export-map 海珠区 pdf", lambda: export_map(checked, layers, None, "pdf", "海珠区"))
        from geo.maps.atlas import write_atlas

        timed("atlas (12 pages)", lambda: write_atlas(checked, Path(tmp) / "atlas.pdf"))
    print(f"{'peak resident memory':<46} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:9.1f} MiB")


if __name__ == "__main__":
    main()
