"""Command line: python -m geo validate | export-data | export-map | atlas."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from geo.problems import DataError, errors
from geo.validate import SEEDS_DIR, load_checked, validate


def cmd_validate(args: argparse.Namespace) -> int:
    checked = validate(args.data, args.seeds)
    for p in checked.problems:
        print(p)
    counts = Counter(e.layer for e in checked.layout.entries.values())
    counts["district"] = len(checked.districts)
    counts["node_list"] = len(checked.layout.node_lists)
    n_err = len(errors(checked.problems))
    n_find = len(checked.problems) - n_err
    print(f"{n_err} error(s), {n_find} finding(s)")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if n_err else 0


def cmd_export_data(args: argparse.Namespace) -> int:
    from geo.export_data import to_csv, to_geojson

    checked = load_checked(args.data)
    text = to_geojson(checked) if args.format == "geojson" else to_csv(checked)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check schema, citations and geography")
    v.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="the planning documents (txt)")
    v.set_defaults(func=cmd_validate)
    e = sub.add_parser("export-data", help="all layers in one GeoJSON or CSV file")
    e.add_argument("--format", choices=("geojson", "csv"), required=True)
    e.add_argument("--out", required=True)
    e.set_defaults(func=cmd_export_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as err:
        for p in err.problems:
            print(p, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
