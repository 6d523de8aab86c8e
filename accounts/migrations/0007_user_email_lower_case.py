"""Emails kept lower-case (as sign-up always kept them; the Django admin kept them as typed), and
the database holds it: with the unique email, one account per address whatever its case.

Accounts the admin made with capitals are lower-cased first. Two accounts whose emails differ
only in case are one person's: the migration stops and names their ids, to merge or rename one
in the admin, then migrate again."""

from collections import defaultdict

import django.db.models.functions.text
from django.db import migrations, models


def emails_lower(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    by_address = defaultdict(list)
    for user_id, email in User.objects.values_list("id", "email"):
        by_address[email.strip().lower()].append((user_id, email))
    clashes = [sorted(str(user_id) for user_id, _ in users) for users in by_address.values() if len(users) > 1]
    if clashes:
        raise RuntimeError(
            "Accounts whose emails differ only in case (ids): "
            + "; ".join(", ".join(ids) for ids in clashes)
            + ". Merge or rename one of each in the admin, then migrate again."
        )
    for address, [(user_id, email)] in by_address.items():
        if email != address:
            User.objects.filter(pk=user_id).update(email=address)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_awaiting_confirmation"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                error_messages={
                    "unique": "An account with this email already exists (emails are compared without regard to case)."
                },
                max_length=254,
                unique=True,
            ),
        ),
        migrations.RunPython(emails_lower, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", django.db.models.functions.text.Lower("email"))),
                name="user_email_lower_case",
            ),
        ),
    ]
