"""The review database: users and their districts, one review per district and row (versioned),
and the append-only audit log. Every write checks, here on the server, that the user may review
the row's district, that the answer is well formed, and that nobody saved the row since the
version the answer started from (else Conflict, with the other answer; nothing is overwritten).
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, RowMapping, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo.review import tables as tb
from geo.review.db import engine as db_engine
from geo.review.model import (
    ADDITION,
    MAX_COMMENT,
    MAX_NAME,
    MAX_NOTE,
    ROLES,
    STATUSES,
    AuditEntry,
    Conflict,
    NotAllowed,
    Point,
    ReviewError,
    ReviewInput,
    Review,
    Role,
    User,
)

MAX_FAILURES = 5  # failed sign-ins per name within FAILURE_WINDOW, then refused until it passes
FAILURE_WINDOW = timedelta(minutes=15)
_HASHER = PasswordHasher()  # argon2id, memory-hard (64 MiB, 3 passes)
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))  # an unknown name costs as much as a wrong password


class SignInRefused(Exception):
    """Wrong name or password, or too many failures: `reason` says which (a catalogue key's last
    part, review.auth.<reason>), never the password."""

    def __init__(self, reason: Literal["wrong", "too_many"]) -> None:
        self.reason = reason
        self.minutes = FAILURE_WINDOW.seconds // 60
        super().__init__("too many failed sign-ins: try again in "
                         f"{self.minutes} minutes" if reason == "too_many" else "wrong user name or password")


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def _answer_json(review: Review | ReviewInput) -> dict[str, object]:
    """What the audit log keeps of an answer."""
    out = {k: v for k, v in asdict(review).items() if k not in ("seen", "base_version", "at")}
    out["point"] = asdict(review.point) if review.point else None
    return out


def _review(m: RowMapping) -> Review:
    point = Point(m["lon"], m["lat"]) if m["lon"] is not None and m["lat"] is not None else None
    return Review(district=m["district"], key=m["key"], status=m["status"], revision=m["revision"], lang=m["lang"],
                  seen=json.loads(m["seen"]), comment=m["comment"], point=point, point_note=m["point_note"],
                  added_name=m["added_name"], added_kind=m["added_kind"], version=m["version"],
                  user=m["user_name"], at=_utc(m["at"]))


def check_answer(answer: ReviewInput) -> None:
    """The answer's own form: a known status, text within its limits, a point on the earth."""
    if answer.status not in STATUSES:
        raise ReviewError(f"status {answer.status!r:.40} is not one of {', '.join(STATUSES)}")
    for value, limit, what in ((answer.comment, MAX_COMMENT, "comment"), (answer.point_note, MAX_NOTE, "point note"),
                               (answer.added_name, MAX_NAME, "name")):
        if len(value) > limit:
            raise ReviewError(f"the {what} has {len(value)} characters; at most {limit} are kept")
    if answer.point and not (-180 <= answer.point.lon <= 180 and -90 <= answer.point.lat <= 90):
        raise ReviewError(f"the proposed point {answer.point.lon}, {answer.point.lat} is not a WGS84 longitude, latitude")
    if (answer.key == ADDITION or answer.key.startswith(f"{ADDITION}:")) and not answer.added_name.strip():
        raise ReviewError("an added row needs the name of what is missing")


class ReviewStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as c, c.begin():
            yield c

    # Users ----------------------------------------------------------------------------------------
    def add_user(self, *, name: str, password: str | None, districts: Iterable[str], role: Role) -> User:
        """Adds the user, or updates an existing one's districts, role and password."""
        if role not in ROLES:
            raise ReviewError(f"role {role!r:.20} is not one of {', '.join(ROLES)}")
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise ReviewError("a user name has 1 to 200 characters")
        hashed = _HASHER.hash(password) if password else None
        wanted = sorted(set(districts))
        with self._write() as c:
            uid = c.scalar(select(tb.users.c.id).where(tb.users.c.name == name))
            if uid is None:
                uid = c.scalar(insert(tb.users).values(name=name, role=role, password_hash=hashed,
                                                       created_at=_now()).returning(tb.users.c.id))
            else:
                c.execute(update(tb.users).where(tb.users.c.id == uid).values(role=role, password_hash=hashed))
                c.execute(delete(tb.user_districts).where(tb.user_districts.c.user_id == uid))
            if wanted:
                c.execute(insert(tb.user_districts), [{"user_id": uid, "district": d} for d in wanted])
        return User(name, role, frozenset(wanted))

    def user(self, *, name: str) -> User | None:
        with self.engine.connect() as c:
            row = c.execute(select(tb.users.c.id, tb.users.c.role).where(tb.users.c.name == name)).first()
            if row is None:
                return None
            districts = c.scalars(select(tb.user_districts.c.district).where(tb.user_districts.c.user_id == row.id))
            return User(name, row.role, frozenset(districts))

    def users(self) -> list[User]:
        with self.engine.connect() as c:
            names = list(c.scalars(select(tb.users.c.name).order_by(tb.users.c.name)))
        return [u for n in names if (u := self.user(name=n))]

    def sign_in(self, *, name: str, password: str) -> User:
        """The user whose password this is; SignInRefused otherwise, and after MAX_FAILURES
        failures within FAILURE_WINDOW, refused without looking at the password."""
        since = _now() - FAILURE_WINDOW
        with self.engine.connect() as c:
            failures = c.scalar(select(func.count()).select_from(tb.sign_in_failures).where(
                and_(tb.sign_in_failures.c.name == name[:200], tb.sign_in_failures.c.at > since))) or 0
            hashed = c.scalar(select(tb.users.c.password_hash).where(tb.users.c.name == name))
        if failures >= MAX_FAILURES:
            raise SignInRefused("too_many")
        try:
            _HASHER.verify(hashed or _DUMMY_HASH, password)
            ok = hashed is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            with self._write() as c:
                c.execute(insert(tb.sign_in_failures).values(name=name[:200], at=_now()))
            raise SignInRefused("wrong")
        with self._write() as c:
            c.execute(delete(tb.sign_in_failures).where(tb.sign_in_failures.c.name == name))
        user = self.user(name=name)
        assert user is not None  # its password hash was just read
        return user

    # Reviews --------------------------------------------------------------------------------------
    def _current(self, c: Connection, district: str, key: str) -> Review | None:
        row = c.execute(select(tb.reviews).where(and_(tb.reviews.c.district == district,
                                                      tb.reviews.c.key == key))).mappings().first()
        return _review(row) if row else None

    def _audit(self, c: Connection, *, user: str, district: str, key: str, action: str,
               old: Review | None, new: Review | ReviewInput | None) -> None:
        c.execute(insert(tb.audit).values(
            at=_now(), user_name=user, district=district, key=key, action=action,
            old=json.dumps(_answer_json(old), ensure_ascii=False) if old else None,
            new=json.dumps(_answer_json(new), ensure_ascii=False) if new else None))

    def _save(self, c: Connection, user: User, answer: ReviewInput, action: str) -> Review:
        if not user.may_review(answer.district):
            raise NotAllowed(f"{user.name} may not review {answer.district}")
        check_answer(answer)
        if answer.key == ADDITION:
            answer = replace(answer, key=f"{ADDITION}:{secrets.token_hex(4)}", base_version=0)
        current = self._current(c, answer.district, answer.key)
        if (current.version if current else 0) != answer.base_version:
            raise Conflict(current=current, key=answer.key)
        new = Review(district=answer.district, key=answer.key, status=answer.status, revision=answer.revision,
                     lang=answer.lang, seen=dict(answer.seen), comment=answer.comment, point=answer.point,
                     point_note=answer.point_note, added_name=answer.added_name, added_kind=answer.added_kind,
                     version=answer.base_version + 1, user=user.name, at=_now())
        values = {"status": new.status, "revision": new.revision, "lang": new.lang,
                  "seen": json.dumps(new.seen, ensure_ascii=False), "comment": new.comment,
                  "lon": new.point.lon if new.point else None, "lat": new.point.lat if new.point else None,
                  "point_note": new.point_note, "added_name": new.added_name, "added_kind": new.added_kind,
                  "version": new.version, "user_name": new.user, "at": new.at}
        if current is None:
            try:
                with c.begin_nested():  # a concurrent first answer trips the unique key: a conflict
                    c.execute(insert(tb.reviews).values(district=new.district, key=new.key, **values))
            except IntegrityError:
                raise Conflict(current=self._current(c, answer.district, answer.key), key=answer.key) from None
        else:
            done = c.execute(update(tb.reviews).where(and_(
                tb.reviews.c.district == new.district, tb.reviews.c.key == new.key,
                tb.reviews.c.version == answer.base_version)).values(**values))
            if done.rowcount != 1:  # compare-and-set: another writer got there first
                raise Conflict(current=self._current(c, answer.district, answer.key), key=answer.key)
        self._audit(c, user=user.name, district=new.district, key=new.key, action=action, old=current, new=new)
        return new

    def _log_conflict(self, user: User, answer: ReviewInput, conflict: Conflict) -> None:
        """The refused answer goes into the audit log too: both answers are on record."""
        with self._write() as c:
            self._audit(c, user=user.name, district=answer.district, key=answer.key, action="conflict",
                        old=conflict.current, new=answer)

    def save(self, *, user: User, answer: ReviewInput) -> Review:
        try:
            with self._write() as c:
                return self._save(c, user, answer, "save")
        except Conflict as conflict:
            self._log_conflict(user, answer, conflict)
            raise

    def save_all(self, *, user: User, answers: Sequence[ReviewInput], action: str = "import") -> list[Review]:
        """Every answer in one transaction: the first that fails raises (with `.index`, its
        position in `answers`) and none is saved."""
        index = 0
        try:
            with self._write() as c:
                out = []
                for index, answer in enumerate(answers):
                    out.append(self._save(c, user, answer, action))
                return out
        except (Conflict, NotAllowed, ReviewError) as err:
            err.index = index
            if isinstance(err, Conflict):
                self._log_conflict(user, answers[index], err)
            raise

    def reviews(self, *, district: str) -> dict[str, Review]:
        with self.engine.connect() as c:
            rows = c.execute(select(tb.reviews).where(tb.reviews.c.district == district).order_by(tb.reviews.c.id))
            return {r["key"]: _review(r) for r in rows.mappings()}

    def all_reviews(self) -> list[Review]:
        with self.engine.connect() as c:
            rows = c.execute(select(tb.reviews).order_by(tb.reviews.c.district, tb.reviews.c.id))
            return [_review(r) for r in rows.mappings()]

    def audit(self, *, district: str | None = None, key: str | None = None) -> list[AuditEntry]:
        query = select(tb.audit).order_by(tb.audit.c.id)
        if district is not None:
            query = query.where(tb.audit.c.district == district)
        if key is not None:
            query = query.where(tb.audit.c.key == key)
        with self.engine.connect() as c:
            return [AuditEntry(at=_utc(r.at), user=r.user_name, district=r.district, key=r.key, action=r.action,
                               old=json.loads(r.old) if r.old else None, new=json.loads(r.new) if r.new else None)
                    for r in c.execute(query)]


def open_store(*, url: str | None = None) -> ReviewStore:
    """The store at `url`, or where the settings say (geo.review.db.default_url)."""
    return ReviewStore(db_engine(url=url))
