"""A throw-away PostgreSQL cluster on a loopback port, from Debian's postgresql binaries: made in a
temporary folder, started for the test session, stopped and deleted after it. As root, the server
runs as the `postgres` user (PostgreSQL refuses to run as root)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """The URL of a fresh database `gzmap` on 127.0.0.1; fails (never skips) without the binaries."""
    if not BIN_DIRS:
        raise RuntimeError("PostgreSQL is not installed: `apt-get install postgresql` (scripts/test does)")
    bin_dir = BIN_DIRS[0]
    folder = Path(tempfile.mkdtemp(prefix="gzmap-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=60)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "gzmap", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
            f"-h 127.0.0.1 -p {port} -k {folder} -F", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "gzmap", "gzmap")
            yield f"postgresql+psycopg://gzmap@127.0.0.1:{port}/gzmap"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(url: str) -> None:
    """Empties the database at `url` (every table, the migrations' record included), and forgets
    this process's engine for it, so the next store migrates it anew."""
    from sqlalchemy import create_engine, text

    from geo.review import db

    db.dispose(url=url)
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
