"""The coverage table as an XLSX workbook (Vietnamese headers, what offices exchange)."""

from __future__ import annotations

from ..spreadsheets import Sheet, write_workbook
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
LEVEL_VI = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
HEAD_FILL = "DDEBF7"
# Percentages with their one decimal (columns of HEADERS).
PCT_FORMAT = {4: "0.0", 8: "0.0"}


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


def _sheet(title: str, heading: list[str], header: list[str], rows: list[list], **kw) -> Sheet:
    widths: dict[int, float] = {i: 28 if i == 1 else 14 for i in range(len(header))}
    return Sheet(
        title,
        header,
        rows,
        heading=heading,
        frozen_columns=2,
        header_fill=HEAD_FILL,
        wrap_header=True,
        widths=widths,
        **kw,
    )


def coverage_xlsx(cov: Coverage, period_text: str) -> bytes:
    """The figure set (and, when asked, its breakdown by sector) as workbook bytes."""
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
    era = "trước 1/7/2025" if cov.version.valid_to else "từ 1/7/2025"
    titles.append(f"Bản đồ hành chính ngày {cov.as_of:%d/%m/%Y} ({era}), {LEVEL_VI[cov.level]}")
    if cov.sector:
        titles.append(f"Ngành nghề: {cov.sector.name_vi}")
    totals = _cells(cov.totals)
    totals[1] = f"Tổng cộng ({cov.totals.name})"
    totals[-1] = cov.needed_in_units  # what the units still need, not the province's shortfall
    sheets = [
        _sheet(
            "Tỷ lệ kiểm tra",
            titles,
            HEADERS,
            [_cells(r) for r in cov.rows],
            totals=totals,
            number_formats=PCT_FORMAT,
        )
    ]
    if cov.by_sector:
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
        formats = {i + 1: f for i, f in PCT_FORMAT.items()}  # after the sector column
        sheets.append(_sheet("Theo ngành nghề", titles, header, lines, number_formats=formats))
    return write_workbook(sheets)
