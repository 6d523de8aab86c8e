"""Templates ask the role groups (``web.context_processors.roles``), never a role by name: a page
links to another exactly when that page's view lets the user in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
# `user.role == "nurse"`, `role != 'patient'`, `role in staff_roles`, `role not in ...`
ROLE_BY_NAME = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)")
# The pages the layout's navigation may link to, by the group whose view lets a user in.
NAVIGATION = [
    "staff-home",
    "staff-day",
    "staff-patients",
    "staff-report-outcomes",
    "staff-controlled",
    "staff-calendar-feed",
    "account",
]


def _templates() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.glob("*/templates/**/*"))
        if path.is_file() and path.suffix in {".html", ".txt"} and ".venv" not in path.parts
    ]


def test_the_scan_reads_every_app_s_templates():
    apps = {path.relative_to(ROOT).parts[0] for path in _templates()}

    assert {"web", "booking", "notifications", "accounts"} <= apps


def test_no_template_tests_a_role_by_name():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_BY_NAME.search(line)
    ]

    assert found == [], "Ask a role group (`roles.care_team`...) instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        '{% if user.role == "clinician" or user.role == "admin" %}',
        "{% if user.is_authenticated and user.role != 'patient' %}",
        "{% if request.user.role in care_roles %}",
    ],
)
def test_the_scan_finds_a_role_named_in_a_template(line):
    assert ROLE_BY_NAME.search(line)


def _navigation_links(html: str) -> set[str]:
    hrefs = set(re.findall(r'href="([^"]+)"', html.split("</nav>", 1)[0]))
    return {name for name in NAVIGATION if reverse(name) in hrefs}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_layout_links_to_exactly_the_pages_the_user_may_open(client, role):
    from tests.factories import UserFactory

    user = UserFactory(role=role, is_staff=role == Role.ADMIN)
    client.force_login(user)
    page = client.get(reverse("security"))
    assert page.status_code == 200

    linked = _navigation_links(page.content.decode())
    # Opened, or sent on (a nurse's home is the day board); refused is 403.
    may_open = {name for name in NAVIGATION if client.get(reverse(name)).status_code in (200, 302)}

    assert linked == may_open
    assert linked  # every role has somewhere to go
