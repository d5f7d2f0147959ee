"""Maintain the Vietnamese catalogue: extract messages, merge, report what is untranslated.

.venv/bin/python -m inspections.i18n_catalog            # merge new messages, list missing
.venv/bin/python -m inspections.i18n_catalog more.py    # also take msgid -> msgstr from a
                                                        # file defining a dict T
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "inspections" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("inspections/**.py", "python"), ("templates/**.html", "jinja2")]


def extract() -> Catalog:
    """Every translatable message of the code and the templates."""
    template = Catalog(project="inspections")
    for folder in ("inspections", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder,
            method_map=[(p.split("/", 1)[1], m) for p, m in METHODS if p.startswith(folder)],
            keywords=KEYWORDS,
            strip_comment_tags=True,
        ):
            template.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load() -> Catalog:
    with open(PO, "rb") as fh:
        return read_po(fh, locale="vi")


def untranslated(catalog: Catalog | None = None) -> list[str]:
    """Messages of the code that have no Vietnamese translation."""
    catalog = catalog or load()
    missing = []
    for msg in extract():
        if not msg.id:
            continue
        found = catalog.get(msg.id)
        text = found.string if found else None
        if isinstance(text, tuple):
            text = text[0]
        if not text or (found and found.fuzzy):
            missing.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return missing


def update(extra: dict[str, str] | None = None) -> list[str]:
    """Merge extracted messages into the .po, fill from extra, drop obsolete; returns missing."""
    catalog = load()
    created = catalog.creation_date  # kept, so a run that adds nothing leaves the file as it is
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.creation_date = created
    for msg in catalog:
        if msg.id and extra and msg.id in extra:
            msg.string = extra[msg.id]
    catalog.obsolete.clear()
    with open(PO, "wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100, no_location=True, include_previous=False)
    return untranslated(catalog)


if __name__ == "__main__":
    extra: dict[str, str] = {}
    for path in sys.argv[1:]:
        extra.update(runpy.run_path(path)["T"])
    missing = update(extra)
    print(f"{len(missing)} untranslated")
    for m in missing:
        print("  ", repr(m))
    sys.exit(1 if missing else 0)
