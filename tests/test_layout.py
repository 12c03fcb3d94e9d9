"""Layout by job (geo/__init__.py): the command line never loads Streamlit, imports point one way
between packages, and what we borrow from streamlit-folium's and folium's internals sits in one
adapter each, which refuses to load against other versions than the pinned ones."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import geo
from geo.pins import pinned, require_pinned

ROOT = Path(__file__).resolve().parent.parent
UI_FRAMEWORK = ("streamlit", "streamlit_folium")
# Owners of borrowed private attributes (`x._name` on anything but self or cls).
ADAPTERS = {"geo/ui/st_map.py": "streamlit_folium", "geo/maps/folium_internals.py": "branca"}


def _sources() -> list[Path]:
    return sorted([*(ROOT / "geo").rglob("*.py"), *(ROOT / "layers").rglob("*.py"), ROOT / "app.py"])


def _unit(module: str) -> str | None:
    """The package or top-level module of geo.LAYERS that `module` belongs to."""
    parts = module.split(".")
    if parts[0] in ("layers", "app"):
        return parts[0]
    return ".".join(parts[:2]) if parts[0] == "geo" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement names (at any depth: lazy imports count too)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_the_command_line_never_loads_streamlit(tmp_path: Path) -> None:
    """export-map, export-html and sheet in one fresh process: which UI modules were loaded after each."""
    commands = [["export-map", "--format", "svg", "--out", str(tmp_path / "map.svg")],
                ["export-html", "--out", str(tmp_path / "map.html")],
                ["sheet", "--district", "南沙区", "--format", "csv", "--out", str(tmp_path / "sheet.csv")]]
    script = ("import json, sys\nfrom geo.__main__ import main\nreport = []\n"
              f"for argv in {commands!r}:\n"
              "    code = main(argv)\n"
              f"    report.append([argv[0], code, sorted(m for m in sys.modules if m.split('.')[0] in {UI_FRAMEWORK!r})])\n"
              "print(json.dumps(report))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert [(name, code) for name, code, _ in report] == [("export-map", 0), ("export-html", 0), ("sheet", 0)]
    assert {name: loaded for name, _, loaded in report} == {"export-map": [], "export-html": [], "sheet": []}
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "GZ.init(" in (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "南沙" in (tmp_path / "sheet.csv").read_text(encoding="utf-8-sig")


def test_only_geo_ui_imports_streamlit() -> None:
    found = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in _sources()
             if path.relative_to(ROOT).parts[:2] != ("geo", "ui") and path.name != "app.py"
             for line, name in _imports(path) if name.split(".")[0] in UI_FRAMEWORK]
    assert found == []


def test_imports_point_one_way() -> None:
    """A package imports its own level of geo.LAYERS or below; and no two packages import each other."""
    level = {unit: i for i, units in enumerate(geo.LAYERS) for unit in units}
    edges: dict[tuple[str, str], str] = {}
    for path in _sources():
        if path == ROOT / "geo" / "__init__.py":
            continue  # the package's API names its homes as strings, imported on first use
        src = _unit(_module(path))
        assert src in level, f"{path.relative_to(ROOT)} belongs to no level of geo.LAYERS"
        for line, name in _imports(path):
            dst = _unit(name)
            if dst is not None and dst != src:
                assert dst in level, f"{path.relative_to(ROOT)}:{line} imports {name}, in no level of geo.LAYERS"
                edges.setdefault((src, dst), f"{path.relative_to(ROOT)}:{line} imports {name}")
    upward = [where for (src, dst), where in edges.items() if level[dst] > level[src]]
    both_ways = [where for (src, dst), where in edges.items() if (dst, src) in edges]
    assert upward == [] and both_ways == []


def test_private_internals_are_borrowed_in_the_adapters_only() -> None:
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}:{n.lineno} {ast.unparse(n)}" for n in ast.walk(ast.parse(text))
                  if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
                  and ast.unparse(n.value) not in ("self", "cls") and rel not in ADAPTERS]
        found += [f"{rel}: a template reads a private attribute" for _ in range(text.count("this._"))]
    assert found == []
    assert [p.relative_to(ROOT).as_posix() for p in _sources() if "streamlit_folium" in
            {name.split(".")[0] for _, name in _imports(p)}] == ["geo/ui/st_map.py"]


@pytest.mark.parametrize("package", ["streamlit-folium", "folium", "branca"])
def test_adapters_check_the_pinned_versions(package: str) -> None:
    """The pins the adapters check are requirements.txt's, and the installed packages match them."""
    from importlib.metadata import version

    assert pinned(package) == version(package)
    require_pinned(package, user=__file__)  # passes as installed
    with pytest.raises(ImportError, match=rf"tests/test_layout.py relies on private internals of {package} "
                                          rf"{pinned(package)}; installed 9\.9\.9"):
        require_pinned(package, user=__file__, installed="9.9.9")


@pytest.mark.parametrize("fake, module, adapter, package", [
    ("import geo.pins; geo.pins.version = lambda name: '9.9.9'", "geo.ui.st_map", "geo/ui/st_map.py",
     "streamlit-folium"),
    ("import folium; folium.__version__ = '9.9.9'", "geo.maps.webmap", "geo/maps/folium_internals.py", "folium"),
], ids=["streamlit-folium", "folium"])
def test_a_different_version_stops_the_import_with_a_clear_message(fake: str, module: str, adapter: str,
                                                                   package: str) -> None:
    run = subprocess.run([sys.executable, "-c", f"{fake}\nimport {module}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last == (f"ImportError: {adapter} relies on private internals of {package} {pinned(package)}; installed "
                    f"9.9.9: check each use listed in {adapter} against {package} 9.9.9 before changing the pin "
                    f"in requirements.txt")
