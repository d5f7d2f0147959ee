"""Signing out of a shared phone (issue 13, finding 10): the pages carry what the clean-up
needs (the browser test in tests/browser/test_offline.py runs it), in Vietnamese first, and
the worker keeps every script the offline pages import."""

from __future__ import annotations

import html
import re
from pathlib import Path

from inspections.offline.services import SHELL_ASSETS

STATIC = Path(__file__).resolve().parents[2] / "static"
IMPORT = re.compile(r"""^import .*? from '\./([\w.-]+\.js)';$""", re.M)


def _attr(page: str, element_id: str, name: str) -> str:
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', page, re.S)[0]
    return html.unescape(re.search(rf'{name}="([^"]*)"', tag)[1])


def test_sign_out_form_and_boot_carry_the_account(as_user):
    page = as_user("t_insp").get("/").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout" data-signout>', page)
    assert _attr(page, "offline-boot", "data-username") == "t_insp"
    assert _attr(page, "offline-boot", "data-name") == "Test t_insp"
    assert "signed-out-boot" not in page


def test_the_pages_of_nobody_signed_in_say_what_stays_in_vietnamese(client):
    client.set_cookie("lang", "vi")
    page = client.get("/login").get_data(as_text=True)
    assert "js/signed-out.js" in page and "offline-boot" not in page
    assert _attr(page, "signed-out-boot", "data-left") == (
        "Còn %(n)s cuộc kiểm tra chưa gửi trên điện thoại này; "
        "hãy đăng nhập lại bằng tài khoản %(user)s để gửi."
    )
    assert _attr(page, "signed-out-boot", "data-cleared").startswith(
        "Đã xóa danh sách cơ sở và các trang lưu trên điện thoại này"
    )
    client.set_cookie("lang", "en")
    page = client.get("/login").get_data(as_text=True)
    assert _attr(page, "signed-out-boot", "data-left") == (
        "%(n)s inspection(s) not yet sent stay on this phone; "
        "sign in again as %(user)s to send them."
    )


def test_the_queue_page_counts_another_accounts_inspections(as_user):
    page = as_user("t_insp").get("/offline/queue").get_data(as_text=True)
    assert 'id="q-others"' in page
    assert "sign in again as %(user)s to send them." in page


def test_every_module_an_offline_page_imports_is_kept_by_the_worker():
    kept = {name for name in SHELL_ASSETS if name.startswith("js/")}
    found = set()
    for name in sorted(kept):
        for imported in IMPORT.findall((STATIC / name).read_text(encoding="utf-8")):
            assert f"js/{imported}" in kept, f"{name} imports {imported}, not cached"
            found.add(imported)
    assert {"offline-signout.js", "offline-store.js", "offline-sync.js"} <= found
