"""The periodic report and the figures form on a phone (390 × 844): a district's coordinator
enters its figures (a wrong one is refused and said why), reads the report with its links and
downloads, and sends it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_coverage import _arrange  # 40 venues of 593, 10 inspected in 2024

pytestmark = pytest.mark.browser
WINDOW = "report:2024-Y"


def test_report_and_figures_on_a_phone(phone, live_server):
    _arrange(live_server.app)
    page = phone
    sign_in(page, live_server, "t_coord_pt")
    page.goto(live_server.url("/reports"))
    assert page.locator(f'[data-window="{WINDOW}"] [data-area="593"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # the figures form: a numerator above its denominator is refused, with its reason
    page.goto(live_server.url(f"/reports/{WINDOW}/values?area=593"))
    page.fill("#num-communication_communes", "20")
    page.fill("#den-communication_communes", "14")
    page.locator("#val-save").tap()
    page.locator("#val-errors").wait_for()
    assert "exceeds the denominator" in page.inner_text("#val-errors")
    assert page.input_value("#num-communication_communes") == "20"  # what was typed stays
    page.errors.clear()  # the refused form answers 422, which the console reports
    page.fill("#num-communication_communes", "9")
    page.fill("#num-support_services", "2")
    page.fill("#den-support_services", "5")
    with page.expect_navigation():  # the form posts to its own address, then comes back
        page.locator("#val-save").tap()
    page.locator(".alert-success").wait_for()
    assert page.input_value("#num-communication_communes") == "9"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # the report: the coverage figure links to its venues, the figures entered are there
    page.goto(live_server.url(f"/reports/{WINDOW}?area=593"))
    coverage = page.locator('#rep-indicators tr[data-code="coverage"]')
    assert "10 / 40" in coverage.inner_text()
    assert "25" in coverage.inner_text()
    assert "9 / 14" in page.locator('tr[data-code="communication_communes"]').inner_text()
    assert page.locator("#rep-pdf").is_visible() and page.locator("#rep-xlsx").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the first annex scrolls sideways inside its box, its rows' names staying in view
    box = page.locator(".rep-annex[open] .table-responsive").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    name = box.locator("tbody tr:first-child td:first-child")
    before = name.bounding_box()
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    after = name.bounding_box()
    assert abs(after["x"] - before["x"]) < 1 and after["width"] > 80
    with page.expect_download() as got:
        page.locator("#rep-pdf").tap()
    assert got.value.suggested_filename == "bao-cao-2024-y-593.pdf"
    coverage.locator("a").first.tap()
    page.wait_for_url("**/coverage/areas/593?*figure=inspected*")
    assert page.locator(".cov-list li").count() == 10

    # send it: the page then shows the report as sent
    page.goto(live_server.url(f"/reports/{WINDOW}?area=593"))
    page.fill('input[name="number"]', "12/BC-UBND")
    page.locator("#rep-send").tap()
    page.wait_for_url("**/reports/sent/*")
    assert "12/BC-UBND" in page.inner_text("#rep-sent-note")
    assert page.errors == []
