"""What the controlled-substance log says to clinical's changes (subscribed in ControlledConfig.ready).

Once an infusion's administration and waste are in the log, they follow the session record's dose
given as it was then (``infusion_administration_record``); the log is append-only and an
administration is not corrected. A later change of the dose given would make the record and the
log disagree, so it is refused. The check runs inside the session record's write, under the
appointment's row lock that the administration takes too: the two never interleave.
"""

from __future__ import annotations

from clinical.errors import ClinicalConflictError
from clinical.events import DoseGivenChanging
from controlled.services.infusions import infusion_reconciled


def refuse_dose_change_once_logged(event: object) -> None:
    if isinstance(event, DoseGivenChanging) and infusion_reconciled(event.appointment_id):
        raise ClinicalConflictError(
            "The controlled-substance log has recorded this dose as given and the rest as wasted, so the dose "
            "given can no longer change. Write what happened in the dose reason and tell the medical director.",
            code="dose_logged",
            fields={"dose_given_mg": ["Recorded in the controlled-substance log."]},
        )
