from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from geo.settings import settings

DATA_DIR = settings().data


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst)
    return dst


def edit_yaml(path: Path, change) -> None:
    """Load a data file, let `change` mutate it, write it back."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
