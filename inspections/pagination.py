"""One page of rows for the pager macro, shaped like Flask-SQLAlchemy's pagination.

For lists whose rows are not a plain ``db.paginate`` query (counts capped, rows loaded in
two steps, figures computed elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    """One page of rows, shaped like Flask-SQLAlchemy's pagination for the pager macro."""

    items: list
    page: int
    per_page: int
    total: int
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (not self.exact and len(self.items) == self.per_page)

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
