"""The accounts API's routes (included under /api/v1/ by config/urls.py)."""

from django.urls import path

from accounts.api.views import MeApi, RegisterApi, TokenObtainApi, TokenRefreshApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("me/", MeApi.as_view(), name="me"),
]
