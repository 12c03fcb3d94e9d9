"""Command line: python -m geo validate | schema | export-data | export-map | atlas | sheet |
export-html | users | review."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from geo.data.model import CheckedLayout
from geo.data.problems import DataError, errors
from geo.data.records import TIERS, Platform
from geo.data.validate import load_checked, validate
from geo.exports.output import OutputError, file_in, out_file, out_folder, write_error
from geo.files import write_atomic
from geo.i18n import LANGS, t
from geo.review.model import ROLES, NotAllowed, ReviewError
from geo.safe import clean_text, shorten
from geo.settings import settings


def reading(args: argparse.Namespace) -> CheckedLayout:
    """The checked layout, or with --document only what that document says."""
    checked = load_checked(args.data)
    if not args.document:
        return checked
    docs = [d for d in checked.documents if d == args.document or d.startswith(args.document)]
    if len(docs) != 1:
        raise SystemExit(f"unknown document {args.document!r}; choose one of {', '.join(d[:3] for d in checked.documents)}")
    return checked.as_read(docs[0])


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate(args.data, args.seeds)
    for p in report.problems:
        print(p)
    counts = Counter[str](e.kind for e in report.entries.values())
    counts["district"] = len(report.districts)
    n_err = len(errors(report.problems))
    n_warn = sum(p.level == "warning" for p in report.problems)  # print-font gaps: exit code 0
    print(f"{n_err} error(s), {len(report.problems) - n_err - n_warn} finding(s)"
          + (f", {n_warn} warning(s)" if n_warn else ""))
    if not report.citations_checked:
        print(f"NOTE: quotes were not checked: no planning documents (*.txt) found in {args.seeds or settings().seeds}"
              " (put the five documents there, or pass --seeds DIR)")
    tiers = Counter[str](e.tier for e in report.entries.values() if isinstance(e, Platform))
    print("platforms by tier: " + ", ".join(f"{t} {tiers[t]}" for t in TIERS))
    print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if n_err else 0


def _failure(err: Exception) -> str:
    """An export's exception as one line for stderr (a write error without its class name)."""
    if isinstance(err, OSError):
        return write_error(err)
    return f"{type(err).__name__}: " + " ".join(str(err).split())


def cmd_schema(args: argparse.Namespace) -> int:
    from geo.data.schema import json_schemas, readme_path, readme_with_tables

    if args.readme:
        path = readme_path()
        write_atomic(path, readme_with_tables(path.read_text(encoding="utf-8")))
        print(f"wrote {path}")
    out = out_folder(out=args.out)
    for name, schema in json_schemas().items():
        write_atomic(out / name, json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {out / name}")
    return 0


def cmd_export_data(args: argparse.Namespace) -> int:
    from geo.exports.export_data import export

    out = out_file(out=args.out)  # an --out mistake is told before the data is read
    checked = reading(args)
    try:
        export(checked, args.format, out)
    except OSError as err:
        print(f"failed {out}: {write_error(err)} (any earlier file is unchanged)", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


def cmd_export_map(args: argparse.Namespace) -> int:
    from geo.maps.static_map import Page, export_map
    from layers import MODULES, build_layers

    # With --district all the files go beside --out, so the same check holds for both.
    out = out_file(out=args.out)
    checked = reading(args)
    keys = args.layers.split(",") if args.layers else list(MODULES)
    unknown = set(keys) - set(MODULES)
    if unknown:
        print(f"unknown layer(s) {', '.join(sorted(unknown))}; choose from {', '.join(MODULES)}",
              file=sys.stderr)
        return 2
    names = [d.name_zh for d in checked.districts]
    targets = names if args.district == "all" else [args.district or None]
    if any(t and t not in names for t in targets):
        print(f"unknown district {args.district!r}; choose from all, {', '.join(names)}", file=sys.stderr)
        return 2
    try:
        title = clean_text(args.title) if args.title else None
    except ValueError as err:
        print(f"--title {err}", file=sys.stderr)
        return 2
    page = Page(args.paper, args.orientation)
    layers = build_layers(checked, keys, lang=args.lang)
    failed = []
    for target in targets:
        # With --district all, one file per district beside the given name, named from data so
        # checked to stay in that folder; one that fails is reported and the others are written.
        try:
            path = file_in(folder=out.parent, name=f"{out.stem}_{target}{out.suffix}") \
                if args.district == "all" else out
        except ValueError as err:
            failed.append(target)
            print(f"failed {shorten(target, 80)}: {err}", file=sys.stderr)
            continue
        try:
            export_map(checked, layers, path, args.format, target, title, args.dpi, page, lang=args.lang,
                       svg_text=not args.svg_outlines)
        except Exception as err:  # noqa: BLE001 - reported per file, the rest go on
            failed.append(path)
            print(f"failed {path}: {_failure(err)} (any earlier file is unchanged)", file=sys.stderr)
            continue
        print(f"wrote {path}")
    return 1 if failed else 0


def cmd_atlas(args: argparse.Namespace) -> int:
    from geo.exports.atlas import write_atlas
    from geo.maps.static_map import Page

    out = out_file(out=args.out)  # told before the minutes of drawing, not after
    try:
        pages = write_atlas(reading(args), out, Page(args.paper, "landscape"), lang=args.lang)
    except DataError:
        raise
    except Exception as err:  # noqa: BLE001 - the atlas is all or nothing
        print(f"failed {args.out}: {_failure(err)} (any earlier atlas is unchanged)", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {pages} pages")
    return 0


def cmd_sheet(args: argparse.Namespace) -> int:
    """A district's sheet; --district all writes one file per district into the --out folder."""
    from geo.exports.district_sheet import Sheet, district_sheet
    from geo.exports.sheet_export import to_csv
    from geo.review.form import to_xlsx
    from geo.exports.sheet_pdf import sheet_pdf

    checked = reading(args)
    if args.district == "all":
        targets = [d.name_zh for d in checked.districts]
    else:
        found = checked.district(args.district)
        if found is None:
            names = "、".join(f"{d.name_zh}（{d.name_en}, {d.adcode}）" for d in checked.districts)
            print(f"unknown district {args.district!r}; choose one of: {names}, or all", file=sys.stderr)
            return 2
        targets = [found.name_zh]
    out = out_folder(out=args.out) if args.district == "all" else out_file(out=args.out)
    writers: dict[str, Callable[[Sheet], bytes | str]] = {
        "csv": to_csv, "xlsx": lambda s: to_xlsx(checked, s), "pdf": lambda s: sheet_pdf(checked, s)}
    failed = 0
    for name in targets:
        sheet = district_sheet(checked, name, lang=args.lang)
        # A file name made from data: one safe name, directly inside the --out folder.
        try:
            path = file_in(folder=out, name=f"{t('app.sheet_stem', args.lang, district=sheet.district_label)}"
                                            f".{args.format}") if args.district == "all" else out
        except ValueError as err:
            failed += 1
            print(f"failed {shorten(sheet.district_label, 80)}: {err}", file=sys.stderr)
            continue
        try:
            write_atomic(path, writers[args.format](sheet))
        except Exception as err:  # noqa: BLE001 - reported per file, the rest go on
            failed += 1
            print(f"failed {path}: {_failure(err)} (any earlier file is unchanged)", file=sys.stderr)
            continue
        print(f"wrote {path}")
    return 1 if failed else 0


def cmd_export_html(args: argparse.Namespace) -> int:
    from geo.exports.standalone import standalone_html

    out = out_file(out=args.out)
    checked = reading(args)
    district = None
    if args.district:
        found = checked.district(args.district)
        if found is None:
            print(f"unknown district {args.district!r}; choose from {', '.join(d.name_zh for d in checked.districts)}",
                  file=sys.stderr)
            return 2
        district = found.name_zh
    html = standalone_html(checked, district, lang=args.lang)
    try:
        write_atomic(out, html)
    except OSError as err:
        print(f"failed {out}: {write_error(err)} (any earlier file is unchanged)", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {len(html.encode('utf-8')) / 1024:.0f} KiB, opens from disk with no network")
    return 0


class UsageError(Exception):
    """A command's input that cannot be used (exit code 2), said in one line."""


def _district(checked: CheckedLayout, given: str) -> str:
    """A district's name_zh from any form `sheet --district` takes (南沙区, 南沙, Nansha, 440115)."""
    found = checked.district(given)
    if found is None:
        raise UsageError(f"unknown district {shorten(given, 40)!r}; choose from {', '.join(d.name_zh for d in checked.districts)}")
    return found.name_zh


def _password() -> str:
    """GZMAP_PASSWORD (for scripts), else a prompt asked twice, else stdin's first line when piped."""
    import getpass
    import os

    if os.environ.get("GZMAP_PASSWORD"):
        return os.environ["GZMAP_PASSWORD"]
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("password again: "):
            raise UsageError("the two passwords differ; nothing was changed")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("no password given (prompt, stdin or GZMAP_PASSWORD); use --external for an account "
                         "that signs in through the identity provider or proxy")
    return password


def cmd_users(args: argparse.Namespace) -> int:
    from geo.review.store import open_store

    if args.action == "list":
        for u in open_store().users():
            print(f"{u.name}\t{u.role}\t{'、'.join(sorted(u.districts)) or '-'}")
        return 0
    checked = load_checked(args.data)
    districts = [_district(checked, d) for d in args.district or []]
    if not districts and args.role == "reviewer":
        raise UsageError("a reviewer needs at least one --district")
    password = None if args.external else _password()
    user = open_store().add_user(name=args.name, password=password, districts=districts, role=args.role)
    print(f"saved user {user.name} ({user.role}; {'、'.join(sorted(user.districts)) or 'no district'}; "
          + ("signs in through the identity provider or proxy)" if args.external else "local password)"))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from geo.review.store import open_store

    if args.action == "migrate":
        open_store()  # opening migrates to the latest revision
        print("the review database is at the latest migration")
        return 0
    if args.action == "export":
        from geo.review.form import review_table, reviews_to_csv, reviews_to_xlsx

        out = out_file(out=args.out)
        table = review_table(load_checked(args.data), open_store().all_reviews(), lang=args.lang)
        write_atomic(out, reviews_to_xlsx(table, lang=args.lang) if args.format == "xlsx" else reviews_to_csv(table))
        print(f"wrote {out}: {len(table) - 1} review(s)")
        return 0
    from geo.review.workbook import WorkbookError, import_workbook

    store = open_store()
    user = store.user(name=args.user)
    if user is None:
        raise UsageError(f"unknown user {shorten(args.user, 40)!r}; add it with python -m geo users add")
    checked = load_checked(args.data)
    try:
        report = import_workbook(store=store, data=Path(args.file).read_bytes(), checked=checked, user=user,
                                 file_name=Path(args.file).name)
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return 1
    print(f"imported {args.file} for {report.district}: {len(report.saved)} row(s) saved, "
          f"{report.unchanged} unchanged")
    if report.flagged:
        print(f"{len(report.flagged)} row(s) changed since the file's data revision {report.revision} "
              f"(now {checked.revision}); their reviews show as to recheck:")
    for f in report.flagged:
        print(f"  sheet {f.place.sheet!r} row {f.place.row}: {f.name} ({', '.join(f.changed)})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: data/)")
    parser.add_argument("--document", default=None,
                        help="show only what one document says: 000-004 or its file name (exports)")
    sub = parser.add_subparsers(dest="command", required=True)
    lang = argparse.ArgumentParser(add_help=False)  # the exports that speak a language
    lang.add_argument("--lang", choices=LANGS, default="zh", help="language of the map or sheet (default zh)")
    v = sub.add_parser("validate", help="check schema, citations and geography")
    v.add_argument("--seeds", type=Path, default=None,
                   help="the planning documents (txt; default ../shared/seeds or GZMAP_SEEDS)")
    v.set_defaults(func=cmd_validate)
    j = sub.add_parser("schema", help="write the JSON Schema of each data file (for editors)")
    j.add_argument("--out", default="data/schema", help="folder to write <file>.schema.json into")
    j.add_argument("--readme", action="store_true", help="also regenerate data/README.md's field tables")
    j.set_defaults(func=cmd_schema)
    e = sub.add_parser("export-data", help="the layout for GIS and spreadsheets: GeoPackage (a layer "
                       "per kind), GeoJSON, CSV (lon/lat columns) or XLSX (a sheet per kind)")
    e.add_argument("--format", choices=("gpkg", "geojson", "csv", "xlsx"), required=True)
    e.add_argument("--out", required=True)
    e.set_defaults(func=cmd_export_data)
    m = sub.add_parser("export-map", help="a print map (PNG, SVG or PDF) of the city or a district",
                       parents=[lang])
    m.add_argument("--district", default=None, help="a district name, 'all' (one file each), or omit for the city")
    m.add_argument("--format", choices=("png", "svg", "pdf"), required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--layers", help="comma-separated: districts,cores,platforms,parks,axis (default all)")
    m.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    m.add_argument("--paper", choices=("A4", "A3"), default="A4")
    m.add_argument("--orientation", choices=("landscape", "portrait"), default="landscape")
    m.add_argument("--title", help="page title (default: the area and the layout's name)")
    m.add_argument("--svg-outlines", action="store_true",
                   help="SVG text as outlines (looks the same everywhere; by default it stays editable text)")
    m.set_defaults(func=cmd_export_map)
    s = sub.add_parser("sheet", help="a district's sheet: everything the plans assign to it", parents=[lang])
    s.add_argument("--district", required=True, help="南沙区, 南沙, Nansha or 440115; 'all' for every district")
    s.add_argument("--format", choices=("xlsx", "csv", "pdf"), required=True)
    s.add_argument("--out", required=True, help="a file, or with --district all a folder")
    s.set_defaults(func=cmd_sheet)
    h = sub.add_parser("export-html", help="one HTML file with the web map, for offline colleagues", parents=[lang])
    h.add_argument("--out", required=True)
    h.add_argument("--district", default=None, help="zoom to one district (南沙区, 南沙, Nansha or 440115)")
    h.set_defaults(func=cmd_export_html)
    a = sub.add_parser("atlas", help="a PDF: city overview, then one page per district with its table", parents=[lang])
    a.add_argument("--out", required=True)
    a.add_argument("--paper", choices=("A4", "A3"), default="A4")
    a.set_defaults(func=cmd_atlas)
    users = sub.add_parser("users", help="the reviewers' accounts (the review database of GZMAP_DB_URL or the "
                           "state folder)").add_subparsers(dest="action", required=True)
    ua = users.add_parser("add", help="add a user, or change one's districts, role and password; the password "
                          "from a prompt, stdin or GZMAP_PASSWORD")
    ua.add_argument("name")
    ua.add_argument("--district", action="append", help="a district to review (南沙区, 南沙, Nansha or 440115); repeat")
    ua.add_argument("--role", choices=ROLES, default="reviewer", help="bureau: sees every district (default reviewer)")
    ua.add_argument("--external", action="store_true",
                    help="no password: signs in through the identity provider (OIDC) or the proxy")
    users.add_parser("list", help="name, role and districts of every user")
    for u in users.choices.values():
        u.set_defaults(func=cmd_users)
    review = sub.add_parser("review", help="district reviews: import a filled sheet, export every review, "
                            "migrate the database").add_subparsers(dest="action", required=True)
    ri = review.add_parser("import", help="a filled district-sheet XLSX, all rows or none")
    ri.add_argument("file")
    ri.add_argument("--user", required=True, help="the reviewer the answers are from")
    re_ = review.add_parser("export", help="one row per review (XLSX or CSV)", parents=[lang])
    re_.add_argument("--format", choices=("xlsx", "csv"), required=True)
    re_.add_argument("--out", required=True)
    review.add_parser("migrate", help="create the review database or bring it to the latest migration")
    for r in review.choices.values():
        r.set_defaults(func=cmd_review)
    return parser


def _db_failure(err: SQLAlchemyError) -> str:
    """A database error's first line (the driver's message; never the URL, which may hold a password)."""
    cause = getattr(err, "orig", None) or err
    return f"review database: {shorten(str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__, 200)}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as err:
        for p in err.problems:
            print(p, file=sys.stderr)
        return 1
    except (OutputError, UsageError) as err:  # an --out mistake, found before any work; a bad name
        print(str(err).replace("\n", " "), file=sys.stderr)
        return 2
    except (ReviewError, NotAllowed) as err:
        print(" ".join(str(err).split()), file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as err:  # the review database or a file: one line, no traceback
        print(f"failed: {_failure(err) if isinstance(err, OSError) else _db_failure(err)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
