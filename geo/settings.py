"""Where the app and the command line find things: one typed settings object.

Each setting has an environment override (GZMAP_DATA, GZMAP_SEEDS, GZMAP_CACHE,
GZMAP_ONLINE_BASEMAPS). Nothing is written into the source tree: caches go under the cache folder.
"""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


def _default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gzmap"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GZMAP_", frozen=True)

    data: Path = ROOT / "data"  # the layout data (a district's draft copy, a test fixture)
    seeds: Path = ROOT.parent / "shared" / "seeds"  # the five planning documents, as text
    cache: Path = Field(default_factory=_default_cache)  # the print font subset, other derived files
    # Whether the online basemaps (OpenStreetMap, CartoDB, 高德, 天地图: servers outside the
    # operator's network) are offered at all; false leaves the offline base and the operator's
    # own tile sources (GZMAP_TILES, secrets.toml), which are the operator's choice.
    online_basemaps: bool = True


def settings() -> Settings:
    """The settings as the environment says now (read on each call, so tests can override)."""
    return Settings()
