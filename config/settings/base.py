"""Settings shared by every environment. Configuration comes from environment variables only."""

from datetime import timedelta
from pathlib import Path

import environ

from config.settings.redis_url import celery_broker_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# Local state of `make run` (config/run_local.py): its Redis socket, beat schedule, demo mailbox and,
# without Redis, the filesystem broker and cache. The launcher passes it on to its children.
RUN_DIR = Path(env("RUN_DIR", default=str(BASE_DIR / ".run")))

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "core",
    "accounts",
    "scheduling",
    "booking",
    "clinical",
    "controlled",
    "notifications",
    "patient_data",
    "web",
    "demo",
]

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store on everything after the static files (core/cache_policy.py).
    "core.cache_policy.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor passed in this session (staff pages need it).
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session limits (SESSION_IDLE_*, SESSION_ABSOLUTE_SECONDS).
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content security policy (django-csp 4), the same in every environment so the tests see it: our
# own files only, no inline script or style (SPEC.md section 9 "Safe"). Pages keep their scripts in
# web/static/web/js and their styles in site.css; the API docs widen it for themselves (config/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.clinic",
                "web.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock at BEGIN, so two writers queue on the busy
    # timeout instead of failing halfway through a transaction with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# PostgreSQL: how long a booking waits for one of its row locks (booking/locking.py) before it
# answers 409 resource_busy instead of holding a worker.
BOOKING_LOCK_TIMEOUT_SECONDS = env.float("BOOKING_LOCK_TIMEOUT_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked account before any password is checked and counts failures.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Accounts and access (SPEC.md section 11).
# Lockout (django-axes): 5 failed sign-ins to one account (known or not) within 15 minutes lock
# it for 15 minutes from any address. Failures are counted per email only, so one clinic
# network's address is never locked for everyone; the per-address limit is the "auth" throttle.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# The key of the email in the credentials Django hands to axes (authenticate(username=...)).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# A try during the lock does not extend it: the lock ends 15 minutes after the fifth failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = True
# Axes keeps the form of a failed try: codes and passwords are masked in what it keeps.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "new_password",
    "current_password",
    "code",
    "otp",
    "csrfmiddlewaretoken",
]
AXES_VERBOSE = False
# The sign-in services answer a lock themselves (429 account_locked, or the page's words), so
# axes' middleware, which would replace the answer with its own, is not installed.
# W006 asks for a lock per address too: the "auth" throttle limits an address instead (a lock
# would shut a whole clinic network out after five typos).
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W006"]
# The proxies in front of the app: 0 (the default) when clients reach gunicorn directly, as
# docker-compose.yml serves it. A client writes X-Forwarded-For as it likes, so the client's address
# (for the per-address "auth" throttle and axes' records) is REMOTE_ADDR with no proxy, and the
# entry the last of NUM_PROXIES proxies added with some (DRF's reading, accounts.backends.client_address).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_address"
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES  # read only if django-ipware were installed; the callable comes first
# Second factor (django-otp): TOTP with one-time recovery codes, the issuer shown by the app.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Clinic")
RECOVERY_CODE_COUNT = 10
# How long the step between the password and the code may take before signing in starts over.
SIGN_IN_SECOND_STEP_SECONDS = 300
# Page sessions: 15 minutes idle for staff, 30 for patients, 12 hours in any case.
SESSION_IDLE_STAFF_SECONDS = 15 * 60
SESSION_IDLE_PATIENT_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 3600
# The cookie and the stored session may outlive these limits (Django's two weeks): the middleware
# (accounts.middleware) is what ends a session, and says so on the next request.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The emailed reset link works once (it is bound to the password hash) and for one hour.
PASSWORD_RESET_TIMEOUT = 3600
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Patients read the pages and their messages in English or Spanish (SPEC.md section 9).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "clinic_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = False  # production.py turns it on
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "account"
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"
# Instants are stored and handled in UTC; the clinic's wall clock appears only at the edges.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
CLINIC_TIME_ZONE = env("CLINIC_TIME_ZONE", default="America/Los_Angeles")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ClinicJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.ClinicAutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/minute"),
        "user": env("THROTTLE_USER", default="600/minute"),
        "auth": env("THROTTLE_AUTH", default="20/minute"),
    },
}

SIMPLE_JWT = {
    # Short-lived access tokens: a leaked token is useful for minutes, not days.
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    # The longest a refresh token lives unused (a patient's idle limit): accounts.tokens gives each
    # its own, by role, never past 12 hours from the sign-in, and makes a new one at each refresh.
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=SESSION_IDLE_PATIENT_SECONDS),
    "ROTATE_REFRESH_TOKENS": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "UPDATE_LAST_LOGIN": False,
    # Access tokens are checked against the account's session generation and active flag
    # (accounts.authentication); refresh tokens are also blacklisted on logout and "end everything".
    "BLACKLIST_AFTER_ROTATION": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic booking and evaluation API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files: no CDN, so the docs work offline and leak nothing.
    "SWAGGER_UI_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each one inside the operation's button (a link nested in a
    # button, and a 19 px target), two of the axe violations issue 19 found on /api/docs/.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "booking.models.AppointmentStatus",
        "OutboxStatusEnum": "notifications.models.Status",
        "EvaluationStatusEnum": "clinical.models.EvaluationStatus",
        "PlanStatusEnum": "clinical.models.PlanStatus",
        "WaitlistStatusEnum": "booking.models.WaitlistStatus",
        # The names these enums had before the export (patient_data) used a second "kind" and "action".
        "ActionEnum": "clinical.models.AlertAction",
        "QuestionnaireKindEnum": "clinical.models.QuestionnaireKind",
        "MessageKindEnum": "notifications.models.Kind",
        "AppointmentActionEnum": "booking.models.AppointmentEvent.Action",
        "ConsentKindEnum": "clinical.models.ConsentKind",
        "MedicationsReviewEnum": "clinical.models.MedicationsReview",
        # SPEC.md section 10's alert kinds and an adverse event's listed action.
        "AlertKindEnum": "clinical.models.AlertKind",
        "AdverseEventActionEnum": "clinical.models.AdverseEventAction",
        "LetterKindEnum": "clinical.models.LetterKind",
    },
    # Request and response components apart: what a client sends is not what it reads back.
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery and the shared cache: Redis, as `redis://host:port/db` or, as `make run` sets it for its
# private server, a Unix socket `unix:///path/redis.sock` (spelt for kombu by celery_broker_url).
# Without REDIS_URL (a bare `celery worker` or `runserver`, or `make run` when no redis-server could
# be started), kombu's filesystem transport, in the race-free form of config/kombu_filesystem.py.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    BROKER_DIR = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(RUN_DIR / "broker")))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "config.kombu_filesystem:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.1,  # kombu's default of 1 s caps a worker at a few messages a second
        "store_processed": False,
    }
# The cache is shared by web and worker processes (the worker heartbeat travels through it).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("FILE_CACHE_DIR", default=str(RUN_DIR / "cache")),
        }
    }

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless told to reuse it;
# a new PostgreSQL connection per message was most of the cost of sending one.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# On a lost broker connection, let sends under way finish and record their result (cancelling
# them would strand their claimed rows until the stuck-row recovery). Said out loud because
# Celery 6 changes the default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "notifications.tasks.worker_heartbeat", "schedule": 60.0},
    "sweep-due-messages": {"task": "notifications.tasks.sweep_due_messages", "schedule": 60.0},
    # SPEC.md section 10: an alert unacknowledged 15 minutes goes to every clinician.
    "escalate-alerts": {"task": "clinical.tasks.escalate_alerts", "schedule": 60.0},
}

# A task's stray output (Celery turns a worker's stdout into log records) at DEBUG, not WARNING.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "DEBUG"

# Without EMAIL_URL, emails are logged at DEBUG only (core/mail_backends.py): their bodies carry
# links and names. Under `make run` the demo mailbox keeps them instead (dev.py, DEV_MAILBOX_DIR).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "core.mail_backends.DebugLogEmailBackend"
# The demo mailbox (/dev/mail/, core/dev_mailbox.py): off here; only dev.py turns it on.
DEV_MAILBOX_DIR = ""
# A stalled SMTP server must not hold a worker (and its claimed row) forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Front Desk <frontdesk@example.com>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        # One line per request error, with its request id; a traceback only for a 5xx.
        "request_errors": {"()": "core.log_filters.RequestErrorFilter"},
        # runserver's access line of an error repeats django.request's line, without the id.
        "server_errors_once": {"()": "core.log_filters.SkipServerErrorLines"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own loggers stop at INFO by default; let LOG_LEVEL quiet them too (e.g. every 409
    # is otherwise a "django.request" warning).
    "loggers": {
        "django": {"level": env("LOG_LEVEL", default="INFO")},
        "django.request": {"filters": ["request_errors"]},
        # runserver's access lines, through the root handler (Django's default sends them to a
        # handler of their own, which naming the logger here removes).
        "django.server": {"filters": ["server_errors_once"], "propagate": True},
        # axes logs every failed sign-in with the email typed: no personal data in logs.
        "axes": {"level": "ERROR"},
    },
}

# seed_demo refuses to run where this is False (production).
DEMO_DATA_ALLOWED = True

# Links in messages to patients point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
