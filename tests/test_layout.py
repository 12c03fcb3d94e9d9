"""Layout by job (geo/__init__.py): the command line never loads the server's frameworks, imports
point one way between packages, no code borrows a package's private internals, and a fresh
install (requirements.txt) has every package the code imports."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement

import geo

ROOT = Path(__file__).resolve().parent.parent
UI_FRAMEWORK = ("streamlit", "starlette")  # the server's: imported under geo/ui/ and by app.py only


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
    assert "GZ.mount(" in (tmp_path / "map.html").read_text(encoding="utf-8")
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


def test_no_code_borrows_private_internals() -> None:
    """`x._name` on anything but self or cls would break unannounced with a package's next version."""
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}:{n.lineno} {ast.unparse(n)}" for n in ast.walk(ast.parse(text))
                  if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
                  and ast.unparse(n.value) not in ("self", "cls")]
    assert found == []


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed_by_requirements() -> set[str]:
    """The distributions `pip install -r requirements.txt` installs: those it names and what they need."""
    todo = [Requirement(line.split("#")[0]) for line in (ROOT / "requirements.txt").read_text(encoding="utf-8")
            .splitlines() if line.split("#")[0].strip()]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = _canonical(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in requires(req.name) or ()]
        except PackageNotFoundError:  # an optional dependency not installed here: not imported either
            continue
    return seen


def test_every_package_the_code_imports_comes_with_requirements_txt() -> None:
    """folium, branca, streamlit-folium and jQuery left the app but stay installed here for the
    bench: an import of one would pass every test on this machine and fail on a fresh install."""
    installed, dists = _installed_by_requirements(), packages_distributions()
    missing = sorted({f"{path.relative_to(ROOT)}:{line} imports {name}" for path in _sources()
                      for line, name in _imports(path)
                      if (top := name.split(".")[0]) not in sys.stdlib_module_names
                      and top not in ("__future__", "app", "geo", "layers")
                      and not {_canonical(d) for d in dists.get(top, [top])} & installed})
    assert missing == []
