"""The letter to the referring provider as a PDF, drawn on the server with reportlab (no browser):
letterhead, the provider, the patient, the decision, the plan, the infusions with their doses, the
outcome, the adverse events and the clinician's recommendations. Pure drawing from a
``LetterContent`` (clinical/letter_content.py); the same content gives the same bytes."""

from __future__ import annotations

from html import escape
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clinical.letter_content import LetterContent
from clinical.models import LetterKind

_STYLES = getSampleStyleSheet()
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _text(value: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(value).replace("\n", "<br/>"), _STYLES[style])


def _yes_no(value: bool | None) -> str:
    return "not measured" if value is None else ("yes" if value else "no")


def _outcome(content: LetterContent) -> list[Flowable]:
    baseline = "not recorded" if content.phq9_baseline is None else str(content.phq9_baseline)
    lines = [_text("Outcome", "Heading2"), _text(f"PHQ-9 baseline: {baseline}")]
    if content.kind == LetterKind.SERIES:
        latest = "not recorded" if content.phq9_latest is None else str(content.phq9_latest)
        lines.append(_text(f"PHQ-9 latest: {latest}"))
        lines.append(_text(f"Response: {_yes_no(content.response)}. Remission: {_yes_no(content.remission)}."))
    return lines


def _infusions(content: LetterContent) -> list[Flowable]:
    if content.kind != LetterKind.SERIES:
        return []
    if not content.infusions:
        return [_text("Infusions given", "Heading2"), _text("None.")]
    rows = [["Date", "Planned dose", "Dose given"]] + [
        [line.on.isoformat(), f"{line.planned_dose_mg} mg" if line.planned_dose_mg else "", f"{line.dose_given_mg} mg"]
        for line in content.infusions
    ]
    return [_text("Infusions given", "Heading2"), Table(rows, style=_GRID, hAlign="LEFT")]


def _adverse_events(content: LetterContent) -> list[Flowable]:
    if content.kind != LetterKind.SERIES:
        return []
    if not content.adverse_events:
        return [_text("Adverse events", "Heading2"), _text("None recorded.")]
    rows = [["Date", "Event", "CTCAE grade", "Action taken"]] + [
        [line.on.isoformat(), line.what, line.grade, _text(line.action)] for line in content.adverse_events
    ]
    table = Table(rows, style=_GRID, hAlign="LEFT", colWidths=[0.9 * inch, 1.8 * inch, 0.9 * inch, 3.0 * inch])
    return [_text("Adverse events", "Heading2"), table]


def letter_pdf(content: LetterContent) -> bytes:
    """The letter's PDF bytes."""
    buffer = BytesIO()
    title = "Letter after the evaluation" if content.kind == LetterKind.EVALUATION else "Letter after the series"
    document = SimpleDocTemplate(buffer, pagesize=LETTER, title=title, author=content.clinic_name, invariant=1)
    story: list[Flowable] = [
        _text(content.clinic_name, "Title"),
        _text(" · ".join(part for part in (content.clinic_address, content.clinic_phone) if part)),
        Spacer(1, 12),
        _text(f"Date: {content.written_on.isoformat()}"),
        _text(f"To: {content.provider_name}" + (f", {content.provider_practice}" if content.provider_practice else "")),
        _text(f"Regarding: {content.patient_name} (sent with the patient's agreement)"),
    ]
    if content.corrects_written_on is not None:
        story.append(_text(f"This letter corrects our letter of {content.corrects_written_on.isoformat()}."))
    story += [
        _text(title, "Heading1"),
        _text("Decision", "Heading2"),
        _text(f"Decision: {content.decision}"),
        _text(content.rationale),
    ]
    if content.plan_terms:
        story += [_text("Treatment plan", "Heading2"), _text(f"Plan: {content.plan_terms} ({content.plan_status}).")]
    story += _infusions(content) + _outcome(content) + _adverse_events(content)
    story += [
        _text("Recommendations", "Heading2"),
        _text(content.recommendations),
        Spacer(1, 18),
        _text(f"{content.clinician_name}, {content.clinic_name}"),
    ]
    document.build(story)
    return buffer.getvalue()
