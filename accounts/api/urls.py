"""The accounts API's routes (included under /api/v1/ by config/urls.py)."""

from django.urls import path

from accounts.api.views import (
    LogoutApi,
    MeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    RegisterApi,
    RegisterConfirmApi,
    TokenObtainApi,
    TokenRefreshApi,
)

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path("auth/register/confirm/", RegisterConfirmApi.as_view(), name="auth-register-confirm"),
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="auth-logout"),
    path("auth/password-reset/", PasswordResetApi.as_view(), name="auth-password-reset"),
    path("auth/password-reset/confirm/", PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"),
    path("me/", MeApi.as_view(), name="me"),
]
