"""Errors a service raises for the UI and the CLI to show as one clear line."""

from __future__ import annotations

from moderator.domain.language import Explained
from moderator.domain.queues import TransitionError


class ServiceError(Explained, RuntimeError):
    """A moderator action could not be carried out; nothing was written. Said in German or
    English with `domain.language.error_text`."""

    @classmethod
    def carrying(cls, exc: BaseException) -> ServiceError:
        """This error with the sentence (or message) of a domain error."""
        key = getattr(exc, "key", None)
        return cls(str(exc), key=key, **getattr(exc, "values", {}))


class NotFoundError(ServiceError):
    pass


class ConflictError(ServiceError):
    """Someone else changed the question first; the message says what happened."""


class ConnectionLostError(ServiceError):
    """The database could not be reached; the message says whether anything was saved.

    `committed` is False when nothing was written, None when the connection broke during the
    commit itself (look again before repeating the action).
    """

    def __init__(
        self,
        message: str,
        *,
        committed: bool | None = False,
        said: Explained | None = None,
    ) -> None:
        super().__init__(message)
        self.committed = committed
        if said is not None:  # `error_text` says it in either language; `str()` as given
            self.key, self.values = said.key, said.values


__all__ = [
    "ConflictError",
    "ConnectionLostError",
    "NotFoundError",
    "ServiceError",
    "TransitionError",
]
