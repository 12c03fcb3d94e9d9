"""The review command line (issue 20), run as the bureau runs it, on a state folder of its own:
users added with the password from GZMAP_PASSWORD or stdin (never shown, never stored in clear),
a filled sheet imported, every review exported; bad input in one line, no traceback.

The commands run in this process (a `python -m geo` costs seconds of imports each); one test runs
the real command in a subprocess, piped as a script would."""
from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook

from geo.__main__ import main
from geo.review.store import open_store
from tests.test_review_workbook import PARK, export, fill

PASSWORD = "Zz-very-secret-9137"
Geo = Callable[..., subprocess.CompletedProcess[str]]


def environment(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """The command's environment: no GZMAP_ setting of the test run's but the state folder and `env`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GZMAP_")} | {
        "GZMAP_STATE": str(tmp_path / "state"), **env}


@pytest.fixture
def geo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Geo:
    """`python -m geo ARGS` with `stdin` piped in and `env` set: its exit code and what it printed,
    as a process would end (an uncaught exception fails the test: it would be a traceback)."""
    def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            for name in [k for k in os.environ if k.startswith("GZMAP_")]:
                patch.delenv(name)
            for name, value in environment(tmp_path, env).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's usage errors, a SystemExit("message")
                code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
                if isinstance(exit_.code, str):
                    print(exit_.code, file=sys.stderr)
        return subprocess.CompletedProcess(["geo", *args], code, out.getvalue(), err.getvalue())
    return run


def geo_process(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """The real `python -m geo ARGS` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, capture_output=True, text=True,
                          env=environment(tmp_path, env), cwd=Path(__file__).parents[1], timeout=120)


def stored_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (tmp_path / "state").iterdir())


@pytest.mark.parametrize("how", ["env", "stdin"])
def test_users_add_takes_the_password_without_showing_or_storing_it(tmp_path: Path, how: str, geo: Geo):
    given = {"GZMAP_PASSWORD": PASSWORD} if how == "env" else {}
    add = geo if how == "env" else partial(geo_process, tmp_path)  # the real command, piped as a script
    done = add("users", "add", "nansha", "--district", "Nansha", "--district", "440106",
               stdin="" if how == "env" else PASSWORD + "\n", **given)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr and "南沙区、天河区" in done.stdout
    listed = geo("users", "list")
    assert listed.stdout.split("\n")[0].split("\t") == ["nansha", "reviewer", "南沙区、天河区"]
    assert PASSWORD.encode() not in stored_bytes(tmp_path) and b"$argon2" in stored_bytes(tmp_path)
    store = open_store(url=f"sqlite:///{tmp_path / 'state' / 'reviews.sqlite'}")
    assert store.sign_in(name="nansha", password=PASSWORD).districts == {"南沙区", "天河区"}


def test_users_add_refuses_bad_input_in_one_line(geo: Geo):
    for args, stdin, want in ((["--district", "东城"], PASSWORD, "unknown district '东城'"),
                              (["--district", "南沙"], "", "no password given"),
                              ([], PASSWORD, "needs at least one --district")):
        done = geo("users", "add", "x", *args, stdin=stdin)
        assert done.returncode == 2 and want in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
    external = geo("users", "add", "chief", "--role", "bureau", "--external")
    assert external.returncode == 0 and "identity provider" in external.stdout


def test_review_import_and_export_end_to_end(tmp_path: Path, geo: Geo):
    assert geo("users", "add", "nansha", "--district", "南沙区", GZMAP_PASSWORD=PASSWORD).returncode == 0
    filled = tmp_path / "南沙_核对.xlsx"
    filled.write_bytes(fill(export(), {PARK: ("有误", '=HYPERLINK("http://evil.example")')}))
    done = geo("review", "import", str(filled), "--user", "nansha")
    assert done.returncode == 0, done.stderr
    assert "1 row(s) saved" in done.stdout and "南沙区" in done.stdout
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"reviews.{fmt}"
        assert geo("review", "export", "--format", fmt, "--out", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text(encoding="utf-8-sig"))))
    assert [(r["行键"], r["行政区"], r["编号"], r["名称"], r["核对结果"], r["核对人"], r["当前状态"]) for r in rows] == [
        (PARK, "南沙区", "node-mingzhu, park-mingzhu", "明珠科学园", "有误", "nansha", "有误")]
    assert rows[0]["意见"] == "'" + '=HYPERLINK("http://evil.example")'  # inert in a spreadsheet
    cell = [c for row in load_workbook(out).active.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cell and cell[0].data_type == "s" and cell[0].value.startswith("'=")
    # A refused import: one line naming the file, the sheet and the row; exit code 1; nothing saved.
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(export(), {PARK: ("maybe", "")}))
    done = geo("review", "import", str(bad), "--user", "nansha")
    assert done.returncode == 1 and "bad.xlsx: sheet “一轴节点”, row" in done.stderr and "“maybe”" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    unknown = geo("review", "import", str(bad), "--user", "nobody")
    assert unknown.returncode == 2 and "unknown user 'nobody'" in unknown.stderr
    assert geo("review", "migrate").returncode == 0
