from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a creating request with an ``Idempotency-Key``, replayed for repeats.

    Born in booking/; the table keeps its first name so that moving the model lost nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    endpoint = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "booking_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "endpoint"], name="one_answer_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"Idempotency key of {self.user_id} for {self.endpoint}"


class PatientDataAccess(models.Model):
    """One staff read of patients' data (SPEC.md section 11): who, in which role, what, when, the
    request, and the patients read (``patient_ids``, their ids as strings). Written by
    core/access_log.py only, one row and one INSERT per request whatever the number of patients
    shown (a join table would cost a second INSERT on every page: the day board has none to
    spare); admins read it, nobody edits it.

    Beside clinical.models.ClinicalAccess (clinical/audit.py), which records each read and change
    of one clinical object; this one records every page or API answer that showed staff a
    patient's data, clinical or not (appointment lists, the board, the search...).
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=16)
    what = models.CharField(max_length=64, help_text="The route read (its URL name).")
    patient_ids = models.JSONField(default=list, help_text="The ids of the patients shown.")
    occurred_at = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "patient data access"
        verbose_name_plural = "patient data access log"
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.actor_role} read {self.what} at {self.occurred_at:%Y-%m-%d %H:%M}"
