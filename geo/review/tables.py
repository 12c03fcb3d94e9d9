"""The review database's tables (SQLAlchemy Core), as the latest migration leaves them
(geo/review/migrations: a change here is a new migration there)."""
from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200)),  # argon2id; NULL: signs in through OIDC or the proxy only
    Column("created_at", DateTime(timezone=True), nullable=False),
)

user_districts = Table(
    "user_districts", metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("district", String(40), primary_key=True),  # name_zh
)

reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("revision", String(16), nullable=False),  # the data revision the reviewer saw
    Column("lang", String(2), nullable=False),
    Column("seen", Text, nullable=False),  # JSON: the row's cells as the reviewer saw them
    Column("comment", Text, nullable=False),
    Column("lon", Float),  # a proposed point, WGS84
    Column("lat", Float),
    Column("point_note", Text, nullable=False),
    Column("added_name", Text, nullable=False),
    Column("added_kind", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("district", "key", name="uq_reviews_district_key"),
)

audit = Table(  # append-only: triggers refuse UPDATE and DELETE (migration 0001)
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("district", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("action", String(16), nullable=False),
    Column("old", Text),  # JSON of the answer before, NULL for a first answer
    Column("new", Text),  # JSON of the answer after (or refused, for a conflict)
)

sign_in_failures = Table(  # for the rate limit, shared by every process
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
