"""The one error shape of telemetry-bench: what went wrong, and what to do next."""

from __future__ import annotations


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
