"""Where the app and the command line find things: one typed settings object.

Each setting has an environment override (GZMAP_DATA, GZMAP_SEEDS, GZMAP_CACHE, GZMAP_STATE,
GZMAP_DB_URL, GZMAP_ONLINE_BASEMAPS, ...). Nothing is written into the source tree: caches go under
the cache folder, the review database (SQLite by default) under the state folder.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


def _default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gzmap"


def _default_state() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "gzmap"


_BOOLEAN = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GZMAP_", frozen=True)

    data: Path = ROOT / "data"  # the layout data (a district's draft copy, a test fixture)
    seeds: Path = ROOT.parent / "shared" / "seeds"  # the five planning documents, as text
    cache: Path = Field(default_factory=_default_cache)  # the print font subset, other derived files
    state: Path = Field(default_factory=_default_state)  # what the app keeps: reviews.sqlite
    # The review database: unset, an SQLite file in the state folder; for several processes or
    # machines, PostgreSQL (postgresql+psycopg://user@host/db). Never logged: it may hold a password.
    db_url: str | None = Field(default=None, repr=False)
    session_hours: float = 8  # a signed-in session ends after this long without a request
    # Sign-in by a reverse proxy's header (geo.ui.identity.proxy_user): the proxy's IP address(es),
    # comma-separated. Unset: the header is never read, whoever sends it.
    trusted_proxy: str | None = None
    proxy_user_header: str = "X-Remote-User"  # the header in which that proxy names the user
    # Whether the online basemaps (OpenStreetMap, CartoDB, 高德, 天地图: servers outside the
    # operator's network) are offered at all; false leaves the offline base and the operator's
    # own tile sources (GZMAP_TILES, secrets.toml), which are the operator's choice.
    online_basemaps: bool = True
    # The 审图号 (map review approval number) printed in every map's title block; empty: no such line.
    review_number: str = ""

    @field_validator("online_basemaps", mode="before")
    @classmethod
    def _yes_or_no(cls, value: object) -> object:
        # A misspelt value must not take the app down, and must not open the map to the outside.
        if isinstance(value, str) and not value.strip():
            return True  # set but empty: as if unset
        if isinstance(value, str) and value.strip().lower() not in _BOOLEAN:
            logging.getLogger("gzmap").error("GZMAP_ONLINE_BASEMAPS=%r is not true or false: online basemaps "
                                             "are off", value[:40])
            return False
        return value


def settings() -> Settings:
    """The settings as the environment says now (so tests can override): made again only when
    the environment changed, since reading it costs ~0.5 ms and a page asks six times a rerun."""
    return _settings(tuple(os.environ.items()))


@lru_cache(maxsize=4)
def _settings(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()  # frozen: one object can be shared
