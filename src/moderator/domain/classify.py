"""Provisional classifier (replaced by the measured implementation)."""

from __future__ import annotations

import re

from moderator.domain.models import Kind

_VOTE = re.compile(r"^\s*(\+\s*1|me too|ich auch|dito|das würde mich auch interessieren)\W*$", re.I)
_CHATTER = re.compile(r"^\s*(hallo|guten abend|danke|vielen dank|moin|hi)\b.{0,30}$", re.I)


def classify(text: str) -> Kind:
    if _VOTE.match(text):
        return Kind.VOTE
    if _CHATTER.match(text):
        return Kind.CHATTER
    return Kind.QUESTION
