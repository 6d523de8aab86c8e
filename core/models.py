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
