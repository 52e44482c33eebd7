"""The one error shape of telemetry-bench: what went wrong, and what to do next."""

from __future__ import annotations

import contextlib
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    import typer


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

    The CLI prints both and exits non-zero; nothing here ever carries a credential.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


def exit_with(error: BenchError) -> typer.Exit:
    """Print `error` (red) and its hint on stderr; return the exit (code 1) for the CLI to raise."""
    import typer  # noqa: PLC0415 - the library side of bench never needs Typer

    typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
    if error.hint:
        typer.secho(error.hint, err=True)
    return typer.Exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop exactly as Ctrl-C does (the same clean-up runs), exit 143.

    A KeyboardInterrupt, so every `finally` and `except KeyboardInterrupt` that cleans up after
    Ctrl-C cleans up after SIGTERM too; catch it first where the exit code must differ.
    """


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
