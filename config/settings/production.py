"""Production: refuses to start without a real secret key; passes `check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
DEMO_DATA_ALLOWED = False
# The demo mailbox of `make run` (/dev/mail/ answers 404) is off whatever the environment says.
DEV_MAILBOX_DIR = ""
SECRET_KEY = env("SECRET_KEY", default="")
MIN_SECRET_KEY_LENGTH = 50
if not SECRET_KEY or SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not env("REDIS_URL", default=""):
    # Without it Celery would fall back to the per-container filesystem broker of `make run`.
    raise ImproperlyConfigured("REDIS_URL must point at the Celery broker in production.")

# TLS ends at the proxy in front of gunicorn, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP
# HSTS for a year, subdomains included. Preloading (browsers' built-in list) is hard to undo, so the
# deployment may turn it off; on by default because `check --deploy` asks for it.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links out of the clinic's pages never carry their address (appointment and patient ids).
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # and CSP frame-ancestors 'none' (base.py)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# NUM_PROXIES (base.py) stays 0 unless the deployment names the proxies in front of gunicorn: a
# client's own X-Forwarded-For must never choose the address the sign-in throttle counts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
