"""Errors a service raises for the UI and the CLI to show as one clear line."""

from __future__ import annotations

from moderator.domain.queues import TransitionError


class ServiceError(RuntimeError):
    """A moderator action could not be carried out; nothing was written."""


class NotFoundError(ServiceError):
    pass


class ConflictError(ServiceError):
    """Someone else changed the question first; the message says what happened."""


__all__ = ["ConflictError", "NotFoundError", "ServiceError", "TransitionError"]
