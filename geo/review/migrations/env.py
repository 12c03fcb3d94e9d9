"""Alembic's environment: the connection comes from geo.review.db.migrate (no alembic.ini, no URL
in a file); `python -m geo review migrate` runs it."""
from __future__ import annotations

from alembic import context

from geo.review.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
