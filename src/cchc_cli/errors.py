"""The one exception family of cchc: situations where a command cannot go on.

Problems found *in* the inputs are not exceptions but :class:`cchc_cli.issues.Issue`
records, collected and reported together. An exception here means "stop": there is no
workspace, ``cchc.yaml`` cannot be read, or the user asked for something that does not
exist. Each class carries the exit code the CLI maps it to (SPEC §2).
"""

from __future__ import annotations


class CchcError(Exception):
    """Base class: a message written for the analyst, in Vietnamese."""

    exit_code = 3


class WorkspaceError(CchcError):
    """No workspace, or its settings cannot be read at all (exit 3)."""

    exit_code = 3


class OutputError(CchcError):
    """An output cannot be written or replaced (exit 3): the workbook is open in Excel
    (Windows refuses to replace an open file), the folder is read-only, the disk is
    full. The previous output is left as it was."""

    exit_code = 3


class UsageError(CchcError):
    """The command line asks for something that does not exist (exit 2)."""

    exit_code = 2


class InputError(CchcError):
    """The inputs have errors and the command cannot produce results (exit 1).

    Carries the issues that stopped the command; the CLI prints them.
    """

    exit_code = 1

    def __init__(self, message: str, issues: list | None = None) -> None:
        super().__init__(message)
        self.issues = list(issues or [])


class UnsafePathError(InputError):
    """A path built from a code of the inputs would leave its folder (exit 1)."""
