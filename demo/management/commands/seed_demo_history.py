from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from demo.history import PATIENTS, seed_treatment_history
from demo.today import demo_day_lines, seed_demo_day

DEFAULT_PASSWORD = "demo-clinic-2026"  # noqa: S105 - demo data only; refused in production


class Command(BaseCommand):
    help = "Give the demo clinic (seed_demo) a treatment history: series under way and done, forms, readings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of the history's patients.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the history is there already.")

    def handle(self, *args: Any, password: str, if_empty: bool, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo_history refuses to run under production settings.")
        if User.objects.filter(email=PATIENTS[0].email).exists():
            if if_empty:
                self.stdout.write("The treatment history is there already; left as it is.")
                return
            raise CommandError("The treatment history is there already.")
        with transaction.atomic():
            emails = seed_treatment_history(password=password)
            demo_day = seed_demo_day(password=password)
        self.stdout.write(self.style.SUCCESS("Treatment history loaded. Patients with a history:"))
        for email in emails:
            self.stdout.write(f"  {email}")
        for line in demo_day_lines(demo_day):
            self.stdout.write(line)
