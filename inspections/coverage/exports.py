"""The coverage table as an XLSX workbook (Vietnamese headers, what offices exchange)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .rule import Coverage, Figures

HEADERS = [
    "Mã ĐVHC",
    "Đơn vị hành chính",
    "Số cơ sở thuộc phạm vi",
    "Số cơ sở đã kiểm tra trong kỳ",
    "Tỷ lệ kiểm tra (%)",
    "Chỉ tiêu (%)",
    "Đạt chỉ tiêu",
    "Số cơ sở đã kiểm tra ít nhất 1 lần (từ mốc giai đoạn)",
    "Tỷ lệ đã kiểm tra ít nhất 1 lần (%)",
    "Số cơ sở chưa kiểm tra lần nào",
    "Số cơ sở cần kiểm tra thêm để đạt chỉ tiêu",
]
NO_VENUES = "không có cơ sở"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _cells(fig: Figures) -> list:
    meets = {None: NO_VENUES, True: "Đạt", False: "Chưa đạt"}[fig.meets_target]
    return [
        fig.code,
        fig.name,
        fig.in_scope,
        fig.inspected,
        fig.coverage_pct if fig.coverage_pct is not None else NO_VENUES,
        float(fig.target_pct),
        meets,
        fig.ever_inspected,
        fig.ever_inspected_pct if fig.ever_inspected_pct is not None else NO_VENUES,
        fig.never_inspected,
        fig.needed,
    ]


def _sheet(ws, titles: list[str], header: list[str], rows: list[list], totals: list) -> None:
    for line in titles:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(header)
    head = ws.max_row
    for cell in ws[head]:
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
    ws.append(totals)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    for i in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(i)].width = 28 if i == 2 else 14


def coverage_xlsx(cov: Coverage, period_text: str) -> bytes:
    """The figure set (and, when asked, its breakdown by sector) as workbook bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tỷ lệ kiểm tra"
    plan = cov.targets.plan
    target = f"{float(cov.targets.coverage_pct):g} %"
    titles = [
        "Tỷ lệ cơ sở kinh doanh ngành nghề nhạy cảm được kiểm tra",
        f"Kỳ: {period_text}",
        f"Kế hoạch: {plan.number} ({plan.issuer}), chỉ tiêu {target}"
        if plan
        else f"Không có kế hoạch; chỉ tiêu mặc định {target}",
        "Mốc giai đoạn: "
        + (cov.targets.baseline_on.strftime("%d/%m/%Y") if cov.targets.baseline_on else "—"),
    ]
    if cov.sector:
        titles.append(f"Ngành nghề: {cov.sector.name_vi}")
    totals = _cells(cov.totals)
    totals[1] = f"Tổng cộng ({cov.totals.name})"
    _sheet(ws, titles, HEADERS, [_cells(r) for r in cov.rows], totals)
    if cov.by_sector:
        ws2 = wb.create_sheet("Theo ngành nghề")
        header = [*HEADERS[:2], "Ngành nghề", *HEADERS[2:]]
        lines = []
        for r in cov.rows:
            for s in cov.sectors:
                if s.code in r.sectors:
                    cells = _cells(r.sectors[s.code])
                    lines.append([*cells[:2], s.name_vi, *cells[2:]])
        for s in cov.sectors:
            if s.code in cov.totals.sectors:
                cells = _cells(cov.totals.sectors[s.code])
                lines.append([cells[0], f"Tổng cộng ({cov.totals.name})", s.name_vi, *cells[2:]])
        _sheet(ws2, titles, header, lines, [])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
