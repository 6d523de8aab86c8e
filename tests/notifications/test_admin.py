"""The outbox in the admin: read-only, and filterable to the rows staff must follow up."""

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from notifications.models import Kind, OutboxMessage, Status
from tests.factories import UserFactory
from tests.notifications.support import row

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_admins_find_unconfirmed_messages_and_cannot_edit_them(appointment, admin_client):
    unconfirmed = row(appointment, Kind.REMINDER_24H)
    OutboxMessage.objects.filter(pk=unconfirmed.pk).update(status=Status.UNCONFIRMED, last_error="WorkerLost")
    changelist = reverse("admin:notifications_outboxmessage_changelist")

    listed = admin_client.get(changelist, {"status__exact": Status.UNCONFIRMED})

    assert listed.status_code == 200
    assert [message.pk for message in listed.context["cl"].result_list] == [unconfirmed.pk]
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:notifications_outboxmessage_change", args=[unconfirmed.pk]), {"status": Status.PENDING}
    )
    assert change.status_code == 403
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_the_outbox_list_costs_the_same_queries_for_many_rows(appointment, admin_client, django_assert_max_num_queries):
    changelist = reverse("admin:notifications_outboxmessage_changelist")
    admin_client.get(changelist)  # warm the session and content types
    with django_assert_max_num_queries(12) as few:
        admin_client.get(changelist)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            patient_id=appointment.patient_id,
            appointment=appointment,
            kind=Kind.WAITLIST_OFFER,
            channel="email",
            regarding_start=appointment.starts_at.replace(minute=n),
            due_at=appointment.starts_at,
        )
        for n in range(1, 30)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(changelist)
