"""The report and the inventory as files (SPEC.md section 12): CSV (the API's ``Accept: text/csv``
and the page's download) and PDF (the page's download, drawn on the server with ReportLab). One
writer per file, so every copy says the same; times on the clinic's clock, its zone named.

The PDF is the record a clinic prints and files: the range or the day, the totals, each
container's balances, and every entry (who did it, who witnessed it, and for an administration the
patient it was given to, as 21 CFR 1304.22(c) asks). Its title names no patient.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from controlled.models import Container, LedgerEntry
from controlled.report import Inventory, Report
from controlled.rules import ml_of

ENTRY_COLUMNS = (
    "entry",
    "recorded",
    "kind",
    "product",
    "lot",
    "container",
    "quantity_mg",
    "quantity_ml",
    "balance_after_mg",
    "by",
    "witness",
    "patient",
    "appointment",
    "waste_reason",
    "corrects",
    "note",
)
TOTAL_ROWS = (
    ("received_mg", "Received"),
    ("drawn_mg", "Drawn"),
    ("administered_mg", "Administered"),
    ("wasted_not_given_mg", "Wasted (drawn, not given)"),
    ("wasted_stock_mg", "Wasted (expired or damaged stock)"),
    ("corrections_mg", "Corrections (net)"),
    ("opening_mg", "Opening balance"),
    ("closing_mg", "Closing balance"),
)


def local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _name(user: object | None) -> str:
    return str(getattr(user, "full_name", "")) if user is not None else ""


def entry_row(entry: LedgerEntry, zone: ZoneInfo) -> list[str]:
    container: Container = entry.container
    return [
        str(entry.pk),
        local(entry.occurred_at, zone),
        entry.get_kind_display(),
        container.product,
        container.lot,
        str(container.pk),
        str(entry.change_mg if entry.kind == "correction" else entry.quantity_mg),
        str(ml_of(mg=entry.quantity_mg, concentration_mg_per_ml=container.concentration_mg_per_ml)),
        str(entry.balance_after_mg),
        _name(entry.actor),
        _name(entry.witness),
        _name(entry.patient),
        str(entry.appointment_id or ""),
        entry.get_waste_reason_display() if entry.waste_reason else "",
        str(entry.corrects_id or ""),
        entry.note,
    ]


def _csv(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def report_csv(report: Report, zone: ZoneInfo) -> str:
    """Three blocks: the totals (``figure,mg``), each container's balances, every entry."""
    rows: list[list[Any]] = [["figure", "mg"]]
    rows += [[name, getattr(report.totals, name)] for name, _ in TOTAL_ROWS]
    rows += [["balanced", "yes" if report.totals.balanced else "no"], []]
    rows.append(["container", "product", "lot", "opening_mg", "closing_mg", "closing_ml"])
    rows += [
        [str(b.container.pk), b.container.product, b.container.lot, b.opening_mg, b.closing_mg, b.closing_ml]
        for b in report.balances
    ]
    rows += [[], list(ENTRY_COLUMNS)]
    rows += [entry_row(entry, zone) for entry in report.entries]
    return _csv(rows)


def inventory_csv(inventory: Inventory, zone: ZoneInfo) -> str:
    rows: list[list[Any]] = [
        ["inventory_at", local(inventory.taken_at, zone)],
        [],
        ["container", "product", "lot", "expires_on", "mg_per_ml", "volume_ml", "sealed", "balance_mg", "balance_ml"],
    ]
    rows += [
        [
            str(row.container.pk),
            row.container.product,
            row.container.lot,
            row.container.expires_on.isoformat(),
            row.container.concentration_mg_per_ml,
            row.container.volume_ml,
            "yes" if row.sealed else "no",
            row.balance_mg,
            row.balance_ml,
        ]
        for row in inventory.rows
    ]
    rows.append(["total", "", "", "", "", "", "", inventory.total_mg, ""])
    return _csv(rows)


# -- PDF ----------------------------------------------------------------------------------------------

_STYLES = getSampleStyleSheet()
WRAP_AFTER = 24  # characters: a longer cell wraps inside its column
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _table(rows: Sequence[Sequence[Any]], widths: list[float] | None = None) -> Table:
    cells = [
        [Paragraph(str(cell), _STYLES["BodyText"]) if len(str(cell)) > WRAP_AFTER else str(cell) for cell in row]
        for row in rows
    ]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(_GRID)
    return table


def _pdf(title: str, story: list[object]) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(letter), title=title, author="Clinic", leftMargin=0.5 * inch, rightMargin=0.5 * inch
    )
    document.build([Paragraph(title, _STYLES["Title"]), *story])
    return out.getvalue()


def report_pdf(report: Report, zone: ZoneInfo, *, clinic: str) -> bytes:
    title = f"Controlled-substance log: {report.date_from.isoformat()} to {report.date_to.isoformat()}"
    totals: list[list[Any]] = [["Figure", "mg"], *[[label, getattr(report.totals, name)] for name, label in TOTAL_ROWS]]
    totals.append(["Balanced", "yes" if report.totals.balanced else "NO"])
    balances: list[list[Any]] = [["Product", "Lot", "Container", "Opening mg", "Closing mg", "Closing mL"]]
    balances += [
        [b.container.product, b.container.lot, str(b.container.pk)[:8], b.opening_mg, b.closing_mg, b.closing_ml]
        for b in report.balances
    ]
    entries: list[list[Any]] = [
        ["#", "Recorded", "Kind", "Lot", "mg", "mL", "Balance", "By", "Witness", "Patient", "Reason / note"]
    ]
    for entry in report.entries:
        row = entry_row(entry, zone)
        entries.append(
            [
                row[0],
                row[1],
                row[2],
                row[4],
                row[6],
                row[7],
                row[8],
                row[9],
                row[10],
                row[11],
                " ".join(part for part in (row[13], row[15]) if part),
            ]
        )
    story: list[object] = [
        Paragraph(f"{clinic}. Ketamine (Schedule III). Times are {zone}.", _STYLES["Normal"]),
        Spacer(1, 8),
        _table(totals, [3 * inch, 1.2 * inch]),
        Spacer(1, 12),
        _table(balances),
        Spacer(1, 12),
        _table(entries),
    ]
    return _pdf(title, story)


def inventory_pdf(inventory: Inventory, zone: ZoneInfo, *, clinic: str) -> bytes:
    title = f"Controlled-substance inventory at the close of {inventory.on.isoformat()}"
    rows: list[list[Any]] = [["Product", "Lot", "Expires", "mg/mL", "Volume mL", "Sealed", "Balance mg", "Balance mL"]]
    rows += [
        [
            row.container.product,
            row.container.lot,
            row.container.expires_on.isoformat(),
            row.container.concentration_mg_per_ml,
            row.container.volume_ml,
            "yes" if row.sealed else "no",
            row.balance_mg,
            row.balance_ml,
        ]
        for row in inventory.rows
    ]
    rows.append(["Total", "", "", "", "", "", inventory.total_mg, ""])
    story: list[object] = [
        Paragraph(
            f"{clinic}. Ketamine (Schedule III). Taken at {local(inventory.taken_at, zone)}, {zone}.", _STYLES["Normal"]
        ),
        Spacer(1, 8),
        _table(rows),
    ]
    return _pdf(title, story)
