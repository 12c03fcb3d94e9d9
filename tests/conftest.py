from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from geo.settings import settings
from tests.browser import browser, running_app
from tests.pg import fresh_database, postgres_cluster

DATA_DIR = settings().data


def pytest_configure(config: pytest.Config) -> None:
    """Every app process and review store the tests start keeps its state (the SQLite review
    database) in a folder of the test run's own, not in the user's home; under `pytest -n`, each
    worker in its own (a worker inherits the folder the controlling process chose). AppTest's
    scan for installed components is made once per process."""
    scan_installed_components_once()
    state = os.environ.setdefault("GZMAP_STATE", tempfile.mkdtemp(prefix="gzmap-test-state-"))
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        (Path(state) / worker).mkdir(exist_ok=True)
        os.environ["GZMAP_STATE"] = str(Path(state) / worker)


def scan_installed_components_once() -> None:
    """Each AppTest scans the metadata of every installed package for Streamlit components
    (~0.5 s of CPU, and the suite makes a hundred AppTests); the installed packages do not
    change during a test run, so the first scan's answer stands for the rest."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `pytest -n` (`--dist loadgroup`), the tests on PostgreSQL run on one worker: they may
    share one database (GZMAP_TEST_PG_URL's), whose tables each of them drops. The e2e tests (the
    longest: a server, a browser, processes of the app) come first, so that no worker is left with
    a long one at the end while the other idles; xdist hands out the tests in this order, after
    the PostgreSQL group (its largest unit)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)  # stable: in file order otherwise
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "pg_url" in item.fixturenames or (callspec and callspec.params.get("db_url") == "postgresql"):
            item.add_marker(pytest.mark.xdist_group("postgresql"))


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """One app server on the shipped data for the whole session (starting one costs seconds).
    Tests whose server needs other data or another environment start their own."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def _chromium_process() -> Iterator[Browser]:
    with browser() as b:
        yield b


@pytest.fixture
def chromium(_chromium_process: Browser) -> Iterator[Browser]:
    """The session's Chromium; each page a test opens (`new_page`, `new_context`) is a fresh
    context with no cookies, storage or routes of another test, and is closed after it."""
    yield _chromium_process
    for context in _chromium_process.contexts:
        context.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst)
    return dst


def edit_yaml(path: Path, change) -> None:
    """Load a data file (with libyaml, as the app reads it: several times faster), let `change`
    mutate it, write it back."""
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database for the review tests: GZMAP_TEST_PG_URL's, or a throw-away cluster
    started for the session on 127.0.0.1 (tests/pg.py)."""
    if url := os.environ.get("GZMAP_TEST_PG_URL"):
        yield url
        return
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each review test runs on both databases: a new SQLite file, and a fresh schema-less
    PostgreSQL database (its tables dropped before the test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reviews.sqlite'}"
    url = request.getfixturevalue("pg_url")
    fresh_database(url)
    return url
