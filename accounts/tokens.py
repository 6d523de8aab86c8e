"""The API's JWTs carry the account's session generation (see accounts.services.access).

Kept apart from the services: DRF imports the authentication class (which reads the claim)
while it is itself being imported, before the services' modules can be."""

from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import User

GENERATION_CLAIM = "gen"


def token_pair_for(*, user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh[GENERATION_CLAIM] = user.session_generation  # copied into the access token
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_generation_current(*, token: Token, user: User) -> bool:
    """Tokens minted without the claim (only tests' force-made ones) count as generation 0."""
    return int(token.get(GENERATION_CLAIM, 0)) == user.session_generation
