"""Use cases: each public method is one short transaction and returns plain domain objects."""

from moderator.services.console import EventService, ImportSummary, open_event
from moderator.services.errors import (
    ConflictError,
    ConnectionLostError,
    NotFoundError,
    ServiceError,
)

__all__ = [
    "ConflictError",
    "ConnectionLostError",
    "EventService",
    "ImportSummary",
    "NotFoundError",
    "ServiceError",
    "open_event",
]
