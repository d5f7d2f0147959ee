"""The lock files are in step with pyproject.toml: what CI installs is what the project asks for."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^ \\;]+)", text, re.M)
    }


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def test_every_dependency_is_locked_and_both_locks_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    run, test = _pins(ROOT / "requirements/run.txt"), _pins(ROOT / "requirements/test.txt")
    assert _names(project["dependencies"]) <= set(run), "run `make lock`"
    assert _names(project["optional-dependencies"]["test"]) <= set(test), "run `make lock`"
    assert {k: v for k, v in run.items() if test.get(k) != v} == {}, "run `make lock`"
