"""telemetry-bench's one error path: one hierarchy, one printer, one exit-code mapping.

Every failure the user can act on is a `BenchError` (or a subclass): `message` says what went
wrong, `hint` what to do next, `exit_code` how the command ends. The commands print it with
`print_error` (Rich markup in a message is shown as text, never interpreted) and map anything
that stops them with `exit_code`:

    0 done, 1 a failure, 2 bad options or input (`UsageError`), 3 a missing tool
    (`ToolMissingError`), 130 Ctrl-C, 143 SIGTERM (`Terminated`).

This module imports nothing heavy: the library modules raise these errors, the CLI edge prints
them.
"""

from __future__ import annotations

import contextlib
import signal
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from collections.abc import Iterator

    import typer
    from rich.console import Console

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_MISSING_TOOL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143

# The error codes AWS answers when the credentials themselves are bad (expired, revoked,
# unknown or mis-signed), as opposed to valid credentials that lack a permission.
CREDENTIAL_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "RequestExpired",
    }
)


class BenchError(Exception):
    """A failure the user can act on: `message` says what went wrong, `hint` what to do next.

    The CLI prints both and exits with `exit_code`; nothing here ever carries a credential.
    """

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UsageError(BenchError):
    """A bad option or input, found before anything started: exit 2."""

    exit_code = EXIT_USAGE


class ToolMissingError(BenchError):
    """A tool the bench needs is not installed; the message names what installs it: exit 3."""

    exit_code = EXIT_MISSING_TOOL


class EmulatorError(BenchError, RuntimeError):
    """The emulator or its runtime failed; the message says what happened and what to do."""


class PayloadError(UsageError, ValueError):
    """Bad generator input or an unreadable payload file; the message says what to do."""


class ResultsFileError(BenchError, ValueError):
    """A results.json that cannot be read back: the message says which and why."""


class DeploymentMissingError(UsageError):
    """No deployment of that name (deploy's --name-prefix); the hint names those there are."""


class DeployError(BenchError):
    """Deploying or destroying cannot go on; `hint` says what to do next."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop exactly as Ctrl-C does (the same clean-up runs), exit 143.

    A KeyboardInterrupt, so every `finally` and `except KeyboardInterrupt` that cleans up after
    Ctrl-C cleans up after SIGTERM too; catch it first where the exit code must differ.
    """


def exit_code(exc: BaseException) -> int:
    """The one mapping from what stopped a command to its exit code."""
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, BenchError):
        return exc.exit_code
    return EXIT_FAILURE


def stop_reason(exc: KeyboardInterrupt) -> str:
    """What results.json and the last line say when a signal stopped the run."""
    return "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted (Ctrl-C)"


def stderr_console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - the library side never needs Rich

    return Console(stderr=True)


def print_error(
    error: BenchError | str, console: Console | None = None, *, label: str = "error"
) -> None:
    """`error: MESSAGE` (red) and the hint on stderr; markup in either is printed as text."""
    from rich.markup import escape  # noqa: PLC0415

    con = console or stderr_console()
    message, hint = (error.message, error.hint) if isinstance(error, BenchError) else (error, "")
    con.print(f"[bold red]{label}:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        con.print(hint, markup=False, highlight=False, soft_wrap=True)


def exit_with(error: BenchError, console: Console | None = None) -> typer.Exit:
    """Print `error`; return the exit (its `exit_code`) for the CLI to raise."""
    import typer  # noqa: PLC0415 - the library side of bench never needs Typer

    print_error(error, console)
    return typer.Exit(error.exit_code)


def fail(error: BenchError | str, code: int = EXIT_USAGE) -> NoReturn:
    """Print `error` and stop the command with `code` (default 2, a usage error)."""
    import typer  # noqa: PLC0415

    print_error(error)
    raise typer.Exit(error.exit_code if isinstance(error, BenchError) else code)


@contextlib.contextmanager
def handled(*, usage: bool = False, stopping: str = "") -> Iterator[None]:
    """Turn a BenchError or a signal into its printed line and exit code, at the CLI edge.

    With `usage`, what fails here fails before anything started: exit 2 for a BenchError whose
    own code is the generic 1 (a missing tool stays 3). `stopping` follows the stop reason
    (e.g. " before the run started").
    """
    import typer  # noqa: PLC0415

    try:
        yield
    except BenchError as exc:
        print_error(exc)
        code = exc.exit_code
        raise typer.Exit(EXIT_USAGE if usage and code == EXIT_FAILURE else code) from None
    except KeyboardInterrupt as exc:
        print_error(f"{stop_reason(exc)}{stopping}", label="stopped")
        raise typer.Exit(exit_code(exc)) from None


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While on, SIGTERM raises `Terminated` in the main thread instead of killing the process."""

    def on_term(_signum: int, _frame: object) -> None:
        raise Terminated

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
