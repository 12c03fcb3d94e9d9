"""The versions requirements.txt pins, for the modules that borrow a package's private internals:
each checks at import that the installed version is the pinned one, so an upgrade fails loudly at
start instead of drawing a wrong map."""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def _canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def pinned(package: str) -> str:
    """The version requirements.txt pins `package` to (`name==version`)."""
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        name, sep, pin = line.split("#", 1)[0].partition("==")
        if sep and _canonical(name) == _canonical(package):
            return pin.strip()
    raise LookupError(f"{REQUIREMENTS} pins no version of {package}")


def require_pinned(package: str, *, user: str, installed: str | None = None) -> None:
    """Raise ImportError unless the installed `package` (or `installed`) is the pinned version;
    `user` is the file of the module that relies on it (its `__file__`)."""
    want, have = pinned(package), installed or version(package)
    if have != want:
        user = str(Path(user).resolve().relative_to(REQUIREMENTS.parent))
        raise ImportError(f"{user} relies on private internals of {package} {want}; installed {have}: check "
                          f"each use listed in {user} against {package} {have} before changing the pin in "
                          f"requirements.txt")
