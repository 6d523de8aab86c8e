"""Two requests renewing one refresh token at the same moment make one new pair, not two (a
stolen token used alongside its owner's cannot fork the sign-in). Real threads on the real
database; the control run takes the guard away (accounts.tokens._used_up) and shows both win."""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts import tokens
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH = "/api/v1/auth/token/refresh/"


def renewed_at_once(monkeypatch, *, guarded: bool) -> list[int]:
    refresh = tokens.token_pair_for(user=PatientFactory())["refresh"]
    both_checked = threading.Barrier(2)
    used_up = tokens._used_up

    def after_both_checked(token) -> bool:
        both_checked.wait(timeout=30)  # both requests passed simplejwt's blacklist check
        if guarded:
            return used_up(token)
        token.blacklist()  # the control: blacklisted, without asking whether this request did it
        return True

    monkeypatch.setattr(tokens, "_used_up", after_both_checked)
    statuses: list[int] = []

    def renew() -> None:
        try:
            statuses.append(APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=renew) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_two_renewals_of_one_refresh_token_at_once_make_one_pair(monkeypatch):
    assert renewed_at_once(monkeypatch, guarded=True) == [200, 401]


def test_control_without_the_guard_both_renewals_win(monkeypatch):
    assert renewed_at_once(monkeypatch, guarded=False) == [200, 200]
