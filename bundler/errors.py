"""One exception hierarchy for every failure a user can cause.

Each kind carries a stable exit code (documented in the README) and a hint that
tells a non-programmer what to do next. Only ``bundler.cli`` turns these into
messages and exit statuses; the library raises them and never prints.

Messages name the file (and line where there is one) the user gave us and never
include the content of residents' records.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any


class ExitCode(IntEnum):
    """Exit statuses: a stable interface for scripts (table in the README)."""

    OK = 0
    CHECKS_FAILED = 1  # validation, verification or the audit chain found problems
    USAGE = 2  # click's own usage errors
    NOT_FOUND = 3  # a file or folder named by the user does not exist
    BAD_INPUT = 4  # a file exists but cannot be used (corrupt, disguised, unknown type, bad YAML)
    ENCRYPTED = 5  # a PDF needs a password that was not given (or was wrong)
    OUTPUT_EXISTS = 6  # refusing to overwrite an existing output without --force
    MISSING_TOOL = 7  # a required program (LibreOffice, libmagic) is not installed
    CONVERSION_FAILED = 8  # a conversion (LibreOffice) failed or timed out
    TEMPLATE_ERROR = 9  # a letter template is broken or asks for data the context lacks
    CASE_INCOMPLETE = 10  # the case validates but lacks what this output needs
    OUTPUT_FAILED = 11  # the output could not be written (permissions, disk full)
    CREDENTIALS_UNUSABLE = 12  # a signing certificate or key that cannot sign (expired, wrong key)
    SERVICE_FAILED = 13  # a time-stamping authority could not be reached or refused
    INTERNAL = 70  # a bug in the toolkit: please report it


class BundlerError(Exception):
    """Root of every error the toolkit raises on purpose.

    ``message`` is one line saying what went wrong (naming the file);
    ``hint`` is one line saying what to do about it.
    """

    exit_code: ExitCode = ExitCode.INTERNAL
    default_hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # keeps the hint when an error crosses from a worker process (see bundle.workers)
        return (type(self), (self.message, self.hint))


class ChecksFailed(BundlerError):
    """Validation or verification found problems; the report says which."""

    exit_code = ExitCode.CHECKS_FAILED


class InputNotFound(BundlerError):
    exit_code = ExitCode.NOT_FOUND
    default_hint = "Check the path is spelt correctly and the file is in the case folder."

    @classmethod
    def for_path(cls, path: Path | str, what: str = "file") -> InputNotFound:
        return cls(f"{path}: {what} not found")


class BadInput(BundlerError):
    exit_code = ExitCode.BAD_INPUT
    default_hint = "Replace the file with a good copy from the sender, or remove it from the list."


class PasswordRequired(BundlerError):
    """A PDF, or a signing key file, needs a password that was not given (or was wrong)."""

    exit_code = ExitCode.ENCRYPTED
    default_hint = (
        "Ask the sender for the password and add it as `password:` for this document "
        "in the bundle spec, or ask for an unlocked copy."
    )


class OutputExists(BundlerError):
    exit_code = ExitCode.OUTPUT_EXISTS
    default_hint = "Choose another output name, or add --force to replace it."


class MissingTool(BundlerError):
    exit_code = ExitCode.MISSING_TOOL
    default_hint = "Run `make demo` once as root, or ask IT to install it (see the README)."


class ConversionFailed(BundlerError):
    exit_code = ExitCode.CONVERSION_FAILED
    default_hint = "Open the file, save it again as PDF yourself, and list the PDF instead."


class TemplateError(BundlerError):
    exit_code = ExitCode.TEMPLATE_ERROR
    default_hint = (
        "Check the template with `bundler letter check-template FILE --kind KIND` and fix the "
        "names it reports."
    )


class CaseIncomplete(BundlerError):
    exit_code = ExitCode.CASE_INCOMPLETE
    default_hint = "Add the missing details to the case files, run `bundler validate`, then try again."


class OutputFailed(BundlerError):
    exit_code = ExitCode.OUTPUT_FAILED
    default_hint = "Check the output folder exists, is writable and the disk is not full."


class WorkerStopped(OutputFailed):
    """A worker process of a build (``--workers``) ended before it had done its work."""

    default_hint = "Build again; if it happens again, build with --workers 1."


class UsageError(BundlerError):
    """A value given on the command line (or to the library) is not one the toolkit knows."""

    exit_code = ExitCode.USAGE


class CredentialsUnusable(BundlerError):
    """A signing certificate or key that exists and reads, but cannot make a signature."""

    exit_code = ExitCode.CREDENTIALS_UNUSABLE
    default_hint = (
        "Use the council's current document-signing (e-seal) certificate and its own key; "
        "ask whoever issues the council's certificates."
    )


class ServiceFailed(BundlerError):
    """A time-stamping authority could not be reached, or refused or botched the request."""

    exit_code = ExitCode.SERVICE_FAILED
    default_hint = (
        "Check the --tsa address and the network connection, then run the command again "
        "(or leave out --tsa to sign without a timestamp)."
    )


class SeveralProblems(BundlerError):
    """Several inputs of one request are unusable; nothing was done.

    ``problems`` holds each one (its own message, hint and exit code); the
    exit code is the first problem's, the message a summary. The CLI prints
    every problem before the summary, so an officer fixes them all in one go.
    """

    def __init__(self, message: str, problems: tuple[BundlerError, ...], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems
        self.exit_code = problems[0].exit_code if problems else ExitCode.BAD_INPUT

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.problems, self.hint))
