"""What the patient signed, as a PDF drawn on the server with ReportLab (SPEC.md section 12): the
document's title and text in the language it was read in, its version and effective day, and the
signature (typed name and time, or the paper copy on file and who recorded it). The PDF's title
names the document, never the patient."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from clinical.models import ConsentMethod, PatientConsent

_STYLES = getSampleStyleSheet()


def _paragraphs(text: str) -> list[Paragraph]:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return [Paragraph(escape(block).replace("\n", "<br/>"), _STYLES["BodyText"]) for block in blocks]


def _signature_lines(consent: PatientConsent, zone: ZoneInfo) -> list[str]:
    signed = consent.signed_at.astimezone(zone)
    if consent.method == ConsentMethod.ONLINE:
        return [
            _("Signed online by typing the full name: %(name)s") % {"name": consent.typed_name},
            _("Signed on %(day)s at %(time)s (%(zone)s), after ticking “I agree”.")
            % {"day": signed.date().isoformat(), "time": signed.strftime("%H:%M"), "zone": zone.key},
        ]
    return [
        _("A copy signed on paper on %(day)s is on file at the clinic.") % {"day": signed.date().isoformat()},
        _("Recorded by the clinic's staff on %(day)s.")
        % {"day": consent.recorded_at.astimezone(zone).date().isoformat()},
    ]


def consent_pdf(consent: PatientConsent, *, zone: ZoneInfo) -> bytes:
    """The PDF of one signature, in the language the patient read."""
    document = consent.document
    spanish = consent.language == "es"
    title = document.title_es if spanish else document.title_en
    with translation.override(consent.language):
        header = _("Version %(version)s, in effect from %(day)s.") % {
            "version": document.version,
            "day": document.effective_on.isoformat(),
        }
        signature_title = _("Signature")
        lines = _signature_lines(consent, zone)
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=letter, title=title, author="Clinic", leftMargin=inch, rightMargin=inch)
    story: list[object] = [
        Paragraph(escape(title), _STYLES["Title"]),
        Paragraph(escape(header), _STYLES["Normal"]),
        Spacer(1, 0.2 * inch),
        *_paragraphs(document.text_es if spanish else document.text_en),
        Spacer(1, 0.3 * inch),
        Paragraph(escape(signature_title), _STYLES["Heading2"]),
        *[Paragraph(escape(line), _STYLES["Normal"]) for line in lines],
    ]
    pdf.build(story)
    return out.getvalue()
