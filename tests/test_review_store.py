"""The review store on SQLite and on PostgreSQL (db_url runs each test on both): answers saved and
read back, the district check made by the library, conflicts, the audit log, sign-in."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.review.model import Conflict, NotAllowed, Point, ReviewError, ReviewInput
from geo.review.store import MAX_FAILURES, SignInRefused, open_store
from tests.pg import fresh_database

ROW = "park:park-nansha-ai"  # any key: the store does not know the sheet (geo.review.rows does)


def answer(**changes: object) -> ReviewInput:
    base = ReviewInput(district="南沙区", key=ROW, status="disputed", revision="abc123abc123", lang="zh",
                       seen={"name": "南沙"}, comment="位置偏东", point=Point(113.6, 22.8), point_note="应在万新大道")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_saved_answer_reads_back_with_version_and_audit(db_url: str) -> None:
    store = open_store(url=db_url)
    nansha = store.add_user(name="nansha", password=None, districts=["南沙区"], role="reviewer")
    saved = store.save(user=nansha, answer=answer())
    again = store.save(user=nansha, answer=answer(status="confirmed", comment="", point=None, base_version=1))
    got = store.reviews(district="南沙区")[ROW]
    assert (saved.version, again.version, got.version) == (1, 2, 2)
    assert (got.status, got.comment, got.point, got.user) == ("confirmed", "", None, "nansha")
    log = store.audit(key=ROW)
    assert [e.action for e in log] == ["save", "save"]
    assert log[1].old and log[1].old["status"] == "disputed" and log[1].new and log[1].new["status"] == "confirmed"
    assert log[0].new and log[0].new["point"] == {"lon": 113.6, "lat": 22.8}


def test_another_district_is_refused_by_the_library(db_url: str) -> None:
    store = open_store(url=db_url)
    tianhe = store.add_user(name="tianhe", password=None, districts=["天河区"], role="reviewer")
    bureau = store.add_user(name="bureau", password=None, districts=[], role="bureau")
    for user in (tianhe, bureau):  # the bureau reads every district, and writes none it is not given
        with pytest.raises(NotAllowed):
            store.save(user=user, answer=answer())
    with pytest.raises(NotAllowed):
        store.save_all(user=tianhe, answers=[answer(district="天河区"), answer()])
    assert store.all_reviews() == [] and store.audit() == []


def test_bad_answers_are_refused_with_a_reason(db_url: str) -> None:
    store = open_store(url=db_url)
    user = store.add_user(name="n", password=None, districts=["南沙区"], role="reviewer")
    for bad, says in ((answer(status="ok"), "status"), (answer(comment="x" * 2001), "2001 characters"),
                      (answer(point=Point(1130.0, 22.0)), "WGS84"), (answer(key="addition"), "name")):
        with pytest.raises(ReviewError, match=says):
            store.save(user=user, answer=bad)
    assert store.all_reviews() == []


def test_an_added_row_gets_its_own_key(db_url: str) -> None:
    store = open_store(url=db_url)
    user = store.add_user(name="n", password=None, districts=["南沙区"], role="reviewer")
    a = store.save(user=user, answer=answer(key="addition", status="addition", added_name="某实验室"))
    b = store.save(user=user, answer=answer(key="addition", status="addition", added_name="某基地"))
    assert a.key.startswith("addition:") and b.key.startswith("addition:") and a.key != b.key
    assert {r.added_name for r in store.reviews(district="南沙区").values()} == {"某实验室", "某基地"}


def test_import_is_all_or_nothing(db_url: str) -> None:
    store = open_store(url=db_url)
    user = store.add_user(name="n", password=None, districts=["南沙区"], role="reviewer")
    with pytest.raises(ReviewError) as err:
        store.save_all(user=user, answers=[answer(), answer(key="task:task-003-01", status="nonsense")])
    assert err.value.index == 1
    assert store.all_reviews() == [] and store.audit() == []
    assert len(store.save_all(user=user, answers=[answer(), answer(key="task:task-003-01")])) == 2


def test_two_reviewers_saving_one_version_give_one_conflict(db_url: str) -> None:
    """Both start from the same version at the same moment: one is saved, the other gets a
    Conflict carrying the saved answer; both answers are in the audit log."""
    store = open_store(url=db_url)
    a = store.add_user(name="a", password=None, districts=["南沙区"], role="reviewer")
    b = store.add_user(name="b", password=None, districts=["南沙区"], role="reviewer")
    for base in (0, 1):  # a first answer (two inserts) and a change (two updates of version 1)
        if base:
            store.save_all(user=a, answers=[answer(key="seed", status="confirmed")], action="save")
        key = ROW if base == 0 else "seed"
        start = threading.Barrier(2)
        results: dict[str, object] = {}

        def save(user, comment):  # type: ignore[no-untyped-def]
            start.wait()
            try:
                results[user.name] = store.save(user=user, answer=answer(key=key, comment=comment, base_version=base))
            except Conflict as c:
                results[user.name] = c

        threads = [threading.Thread(target=save, args=(u, f"{u.name}说")) for u in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        conflicts = [r for r in results.values() if isinstance(r, Conflict)]
        assert len(conflicts) == 1, results
        winner = next(u for u, r in results.items() if not isinstance(r, Conflict))
        assert conflicts[0].current is not None and conflicts[0].current.comment == f"{winner}说"
        assert store.reviews(district="南沙区")[key].comment == f"{winner}说"
        last_two = store.audit(key=key)[-2:]
        assert {e.new["comment"] for e in last_two if e.new} == {"a说", "b说"}
        assert sorted(e.action for e in last_two) == ["conflict", "save"]


def test_audit_log_is_append_only(db_url: str) -> None:
    store = open_store(url=db_url)
    user = store.add_user(name="n", password=None, districts=["南沙区"], role="reviewer")
    store.save(user=user, answer=answer())
    for statement in ("UPDATE audit SET user_name = 'x'", "DELETE FROM audit"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as c:
            c.execute(text(statement))
    assert [e.user for e in store.audit()] == ["n"]


def test_sign_in_hashes_and_rate_limits(db_url: str) -> None:
    store = open_store(url=db_url)
    store.add_user(name="n", password="correct horse", districts=["南沙区"], role="reviewer")
    with store.engine.connect() as c:
        stored = c.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert "correct horse" not in stored and stored.startswith("$argon2id$")
    assert store.sign_in(name="n", password="correct horse").districts == {"南沙区"}
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInRefused, match="wrong"):
            store.sign_in(name="n", password="wrong")
    with pytest.raises(SignInRefused, match="too many"):  # even the right password, for a while
        store.sign_in(name="n", password="correct horse")
    with pytest.raises(SignInRefused, match="wrong"):
        store.sign_in(name="nobody", password="x")
    with pytest.raises(SignInRefused):  # an OIDC/proxy-only account has no password at all
        store.add_user(name="ext", password=None, districts=[], role="bureau")
        store.sign_in(name="ext", password="")


WRITER = textwrap.dedent("""
    import sys
    from geo.review.model import ReviewInput
    from geo.review.store import open_store
    store = open_store(url=sys.argv[1])
    user = store.add_user(name="w", password=None, districts=["南沙区"], role="reviewer")
    print("ready", flush=True)
    versions = {}
    for i in range(100000):
        key = f"task:t{i % 7}"
        r = store.save(user=user, answer=ReviewInput(district="南沙区", key=key, status="confirmed",
                       revision="r", lang="zh", comment="x" * (i % 300), base_version=versions.get(key, 0)))
        versions[key] = r.version
""")


@pytest.mark.e2e
def test_a_process_killed_mid_write_leaves_a_consistent_sqlite_file(tmp_path: Path) -> None:
    """SIGKILL while writing in a loop: the file passes SQLite's integrity check, and every
    review's version equals the number of its audit lines (review and audit commit together)."""
    url = f"sqlite:///{tmp_path / 'reviews.sqlite'}"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, cwd=Path(__file__).parents[1],
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with sqlite3.connect(tmp_path / "reviews.sqlite") as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        versions = dict(c.execute("SELECT key, version FROM reviews"))
        audited = dict(c.execute("SELECT key, count(*) FROM audit GROUP BY key"))
    assert versions and versions == audited
    assert sum(versions.values()) > 20  # it was writing when it was killed
    store = open_store(url=url)  # and the store carries on from there
    user = store.add_user(name="w", password=None, districts=["南沙区"], role="reviewer")
    assert store.save(user=user, answer=ReviewInput(district="南沙区", key="task:t0", status="disputed", revision="r",
                                                    lang="zh", base_version=versions["task:t0"])).version \
        == versions["task:t0"] + 1


SAVE_ONE = textwrap.dedent("""
    import sys
    from geo.review.model import ReviewInput
    from geo.review.store import open_store
    store = open_store(url=sys.argv[1])
    user = store.add_user(name="p1", password=None, districts=["南沙区"], role="reviewer")
    store.save(user=user, answer=ReviewInput(district="南沙区", key="task:task-003-02", status="disputed",
                                             revision="r", lang="zh", comment="进程一"))
""")
READ_ONE = textwrap.dedent("""
    import sys
    from geo.review.store import open_store
    r = open_store(url=sys.argv[1]).reviews(district="南沙区")["task:task-003-02"]
    print(r.status, r.comment, r.user)
""")


@pytest.mark.e2e
def test_two_processes_share_one_postgresql(pg_url: str) -> None:
    """What one app process saves, another process (another machine, behind nginx) reads."""
    fresh_database(pg_url)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    subprocess.run([sys.executable, "-c", SAVE_ONE, pg_url], check=True, env=env, timeout=60)
    out = subprocess.run([sys.executable, "-c", READ_ONE, pg_url], check=True, env=env, timeout=60,
                         capture_output=True, text=True).stdout
    assert out.split() == ["disputed", "进程一", "p1"]
