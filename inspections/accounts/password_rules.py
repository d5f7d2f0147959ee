"""Why a new password is too weak: too common, repetitive or a simple sequence.

The rules behind ``services.check_password_rules``, which the password page, the admin pages and
``flask users create`` all call.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask_babel import gettext as _

from ..text import fold

COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
MIN_DISTINCT = 5  # fewer different characters than this is "aaaaaaaaaa", "1212121212"
MIN_OUTSIDE_RUNS = 4  # characters a password must keep outside sequences like "1234", "qwer"
RUN = 3  # "abc", "123", "qwe": this many characters in a row along a sequence is a run
MIN_CORE = 4  # "a" of "a123456789" is no word to look up
# Alphabet, digits and keyboard rows, read in both directions.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890-=",
    "!@#$%^&*()_+",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertzuiop",
    "azertyuiop",
)
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s",
                       "5": "s", "7": "t"})  # fmt: skip


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (see the head of common_passwords.txt)."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _forms(password: str) -> set[str]:
    """The password as people vary a common one: case, accents, spaces, digits and symbols
    around a word ("Password12", "matkhau@123"), letters written as digits ("p@ssw0rd")."""
    folded = fold(password)
    forms = {folded, folded.replace(" ", "")}
    for form in list(forms):
        core = _EDGES.sub("", form)
        if len(core) >= MIN_CORE:
            forms |= {core, core.translate(_LEET)}
    return forms


def _is_common(password: str) -> bool:
    return not _forms(password).isdisjoint(common_passwords())


def _steps(a: str, b: str) -> bool:
    if a.isalpha() and b.isalpha() and a.islower() != b.islower():
        return False  # "tY" is no step along a row: a change of case breaks the run
    pair, back = (a + b).lower(), (b + a).lower()
    return any(pair in seq or back in seq for seq in SEQUENCES)


def _is_sequential(password: str) -> bool:
    """Mostly runs along the alphabet, the digits or a keyboard row: "1234567890",
    "abcdefghij", "qwertyuiop", "abc@123456"."""
    text = password
    in_run = [False] * len(text)
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _steps(text[i - 1], text[i]):
            if i - start >= RUN:
                in_run[start:i] = [True] * (i - start)
            start = i
    return in_run.count(False) < MIN_OUTSIDE_RUNS


def weakness(password: str) -> str | None:
    """Why the password is too weak to use (translated), or None."""
    if len(set(password.lower())) < MIN_DISTINCT:
        return _("The password uses too few different characters; choose a less regular one.")
    if _is_sequential(password):
        return _(
            "The password is a simple sequence (like 1234567890, abcdefghij or qwertyuiop); "
            "choose a less regular one."
        )
    if _is_common(password):
        return _("This password is among the most common ones; choose one that is harder to guess.")
    return None
