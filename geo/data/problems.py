"""Problems found in the data: errors stop the app, findings are shown to users."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    level: str  # "error" | "finding"
    file: str
    entry_id: str
    field: str
    message: str

    @classmethod
    def error(cls, file: str, entry_id: str, field: str, message: str) -> "Problem":
        return cls("error", file, entry_id, field, message)

    @classmethod
    def finding(cls, file: str, entry_id: str, field: str, message: str) -> "Problem":
        return cls("finding", file, entry_id, field, message)

    def __str__(self) -> str:
        return f"{self.level.upper()}: {self.file}: {self.entry_id}: {self.field}: {self.message}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]


class DataError(Exception):
    """Raised where the data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))
