"""Kept for callers outside visits that import services from here (tests/accounts).

Each rule lives in the module of its responsibility; import from there: access (who may see
or change), lifecycle (start, save, submit, cancel), readiness (what blocks submitting),
presence (GPS proof), amendments, photos, reading (lists, the inspection as it stands).
"""

from .lifecycle import create
from .photos import add_photo

__all__ = ["add_photo", "create"]
