"""The review command line (issue 20), run as the bureau runs it, in a subprocess on a state folder
of its own: users added with the password from GZMAP_PASSWORD or stdin (never shown, never
stored in clear), a filled sheet imported, every review exported; bad input in one line, no
traceback."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from geo.review.store import open_store
from tests.test_review_workbook import PARK, export, fill

PASSWORD = "Zz-very-secret-9137"


def geo(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GZMAP_")}
    environ |= {"GZMAP_STATE": str(tmp_path / "state"), **env}
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, capture_output=True, text=True,
                          env=environ, cwd=Path(__file__).parents[1], timeout=120)


def stored_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (tmp_path / "state").iterdir())


@pytest.mark.parametrize("how", ["env", "stdin"])
def test_users_add_takes_the_password_without_showing_or_storing_it(tmp_path: Path, how: str):
    given = {"GZMAP_PASSWORD": PASSWORD} if how == "env" else {}
    done = geo(tmp_path, "users", "add", "nansha", "--district", "Nansha", "--district", "440106",
               stdin="" if how == "env" else PASSWORD + "\n", **given)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr and "南沙区、天河区" in done.stdout
    listed = geo(tmp_path, "users", "list")
    assert listed.stdout.split("\n")[0].split("\t") == ["nansha", "reviewer", "南沙区、天河区"]
    assert PASSWORD.encode() not in stored_bytes(tmp_path) and b"$argon2" in stored_bytes(tmp_path)
    store = open_store(url=f"sqlite:///{tmp_path / 'state' / 'reviews.sqlite'}")
    assert store.sign_in(name="nansha", password=PASSWORD).districts == {"南沙区", "天河区"}


def test_users_add_refuses_bad_input_in_one_line(tmp_path: Path):
    for args, stdin, want in ((["--district", "东城"], PASSWORD, "unknown district '东城'"),
                              (["--district", "南沙"], "", "no password given"),
                              ([], PASSWORD, "needs at least one --district")):
        done = geo(tmp_path, "users", "add", "x", *args, stdin=stdin)
        assert done.returncode == 2 and want in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
    external = geo(tmp_path, "users", "add", "chief", "--role", "bureau", "--external")
    assert external.returncode == 0 and "identity provider" in external.stdout


def test_review_import_and_export_end_to_end(tmp_path: Path):
    assert geo(tmp_path, "users", "add", "nansha", "--district", "南沙区", GZMAP_PASSWORD=PASSWORD).returncode == 0
    filled = tmp_path / "南沙_核对.xlsx"
    filled.write_bytes(fill(export(), {PARK: ("有误", '=HYPERLINK("http://evil.example")')}))
    done = geo(tmp_path, "review", "import", str(filled), "--user", "nansha")
    assert done.returncode == 0, done.stderr
    assert "1 row(s) saved" in done.stdout and "南沙区" in done.stdout
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"reviews.{fmt}"
        assert geo(tmp_path, "review", "export", "--format", fmt, "--out", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text(encoding="utf-8-sig"))))
    assert [(r["行键"], r["行政区"], r["编号"], r["名称"], r["核对结果"], r["核对人"], r["当前状态"]) for r in rows] == [
        (PARK, "南沙区", "node-mingzhu, park-mingzhu", "明珠科学园", "有误", "nansha", "有误")]
    assert rows[0]["意见"] == "'" + '=HYPERLINK("http://evil.example")'  # inert in a spreadsheet
    cell = [c for row in load_workbook(out).active.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cell and cell[0].data_type == "s" and cell[0].value.startswith("'=")
    # A refused import: one line naming the file, the sheet and the row; exit code 1; nothing saved.
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(export(), {PARK: ("maybe", "")}))
    done = geo(tmp_path, "review", "import", str(bad), "--user", "nansha")
    assert done.returncode == 1 and "bad.xlsx: sheet “一轴节点”, row" in done.stderr and "“maybe”" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    unknown = geo(tmp_path, "review", "import", str(bad), "--user", "nobody")
    assert unknown.returncode == 2 and "unknown user 'nobody'" in unknown.stderr
    assert geo(tmp_path, "review", "migrate").returncode == 0
