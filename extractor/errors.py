"""Every error the tool raises, in one place, each with a stable code.

Messages are whole sentences that name the file (or rule) and say what to do.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ExtractorError", "InputError", "LimitError", "MissingTool", "RuleError"]


class ExtractorError(Exception):
    """Base class: a problem the user can act on."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InputError(ExtractorError):
    """A notice file that cannot be read as text."""

    code = "E100"

    def __init__(self, path: Path | str | None, problem: str, hint: str = "") -> None:
        where = f"{path}: " if path else ""
        message = f"{where}{problem}"
        if hint:
            message += f" {hint}"
        super().__init__(message)
        self.path = str(path) if path else None


class MissingTool(InputError):
    """A notice that needs a program this machine lacks (Tesseract for scans, LibreOffice for
    .doc): not a bad file; `run --skip-missing-tools` leaves such files out and lists them."""

    code = "E110"

    def __init__(
        self, path: Path | str | None, problem: str, packages: tuple[str, ...], also: str = ""
    ) -> None:
        plural = "s" if len(packages) > 1 else ""
        hint = (
            f"Install the Debian package{plural} {' and '.join(packages)}"
            f" (sudo apt-get install -y {' '.join(packages)})"
        )
        super().__init__(path, problem, f"{hint}{', ' + also if also else ''}.")
        self.packages = packages

    @classmethod
    def said_in(cls, message: str) -> bool:
        """Whether an error message (str(exc), as it comes back from a worker) is one of these."""
        return message.startswith(f"[{cls.code}] ")


class LimitError(InputError):
    """A file past one of the limits on the work one file may cost (extractor/limits.py,
    which words the message: the file, what it has, the limit and the option raising it)."""

    code = "E120"

    def __init__(self, path: Path | str | None, problem: str, hint: str, field: str) -> None:
        super().__init__(path, problem, hint)
        self.field = field


class RuleError(ExtractorError):
    """A rule file that is malformed: fails at load, naming the file and rule id."""

    code = "E200"

    def __init__(self, file: Path | str, rule_id: str | None, problem: str) -> None:
        rid = f" rule {rule_id!r}" if rule_id else ""
        super().__init__(f"{file}{rid}: {problem} Fix the rule file and run again.")
        self.file = str(file)
        self.rule_id = rule_id
