from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.management.commands.seed_demo_history import DEFAULT_PASSWORD
from demo.today import demo_day_lines, seed_demo_day
from scheduling.models import Clinic


class Command(BaseCommand):
    help = "Give today's board work to try (infusions at each stage, an evaluation, alerts); once per date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of today's demo patients.")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo_day refuses to run under production settings.")
        if not Clinic.objects.exists():
            raise CommandError("There is no clinic yet: run seed_demo first.")
        for line in demo_day_lines(seed_demo_day(password=password)):
            self.stdout.write(line)
