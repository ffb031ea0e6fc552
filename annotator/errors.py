"""The exception the core raises for problems a user can act on."""
from __future__ import annotations


class ProjectError(Exception):
    """A user-facing problem (bad value, unknown target, unreadable file)."""
