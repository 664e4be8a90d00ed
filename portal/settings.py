"""Settings for the Mind & Body Staff Portal.

Everything that differs between a laptop and production comes from the environment (see the
table in README.md). Development is opt-in: DEBUG is off unless DJANGO_DEBUG=1, and production
refuses to start without its secrets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# `make run` writes development keys here. It is read only in development, so a stray copy can
# never weaken production, and real environment variables always win over it.
DEVELOPMENT_ENV_FILE = VAR_DIR / "development.env"
if DEBUG and DEVELOPMENT_ENV_FILE.exists():
    environ.Env.read_env(DEVELOPMENT_ENV_FILE)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="development-only-insecure-secret-key")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "portal",
    "learning",
    "wellbeing",
]

MIDDLEWARE = [
    # First, so that every log line of a request, and every response, carries its id.
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.NeverCachedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "portal.middleware.RequireProfileMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.service",
            ],
        },
    },
]

# --- Databases --------------------------------------------------------------------------------
# Two databases with a wall between them (ARCHITECTURE.md): "default" for users and learning,
# "confidential" for the Resilience Hub. Unset, both are SQLite files under var/ for `make run`.
VAR_DIR.mkdir(exist_ok=True)


def _database(variable: str, sqlite_name: str) -> dict[str, object]:
    config: dict[str, object] = env.db_url(variable, default=f"sqlite:///{VAR_DIR / sqlite_name}")
    if "postgresql" in str(config["ENGINE"]):
        # Persistent connections, checked before reuse, rather than one connection per request.
        config["CONN_MAX_AGE"] = env.int("DJANGO_DB_CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    else:
        # WAL lets the web process and the Celery worker share the SQLite files without locking.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {
    "default": _database("DATABASE_URL", "default.sqlite3"),
    "confidential": _database("CONFIDENTIAL_DATABASE_URL", "confidential.sqlite3"),
}
DATABASE_ROUTERS = ["portal.db_routers.ConfidentialRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# allauth's rate limits count in the cache, so it must be shared by every process: Redis when
# there is one, otherwise files under var/ (shared by the processes of one machine).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Refuses only passwords made entirely of digits (dates, phone numbers): a deny-list of a
    # guessable kind, not a rule that a password must contain any kind of character.
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.password_validation.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "portal.accounts.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Mind & Body Staff Portal: "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# How many reverse proxies in front of the portal append to X-Forwarded-For. 0: none, and the
# client's address is the socket's (portal.accounts.client_address; ADR 0020).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's own rate limits (login failures, sign-ups, password resets, confirmation emails),
# counted in the shared cache above.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# Wrong verification codes one address may try at the public certificate check, counted in the
# shared cache as sign-in failures are (learning/views/certificates.py, ADR 0038).
CERTIFICATE_CHECK_RATE_LIMITS = {"certificate_check": "10/m/ip,50/h/ip"}

# Sign-up is open only to work email addresses: a domain here or any of its subdomains.
SIGNUP_EMAIL_DOMAINS = env.list("SIGNUP_EMAIL_DOMAINS", default=["nhs.net", "nhs.uk"])

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mind & Body Staff Portal"
# Hub staff enrol an authenticator only with a one-time code from a hub lead (ADR 0023), so a
# password alone is not enough to become a hub clinician's second factor.
MFA_FORMS = {"activate_totp": "wellbeing.forms.hub_team.ActivateTOTPWithEnrolmentCodeForm"}
# Email the account's owner when a password, an authenticator or recovery codes change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# TOTP secrets and recovery-code seeds are stored encrypted (portal/mfa.py, ADR 0018) with
# Fernet keys of their own, comma-separated: the first encrypts, all decrypt. Not SECRET_KEY and
# not the hub's keys, so one leaked secret does not open the others.
MFA_ADAPTER = "portal.mfa.PortalMFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
if not DEBUG and not MFA_ENCRYPTION_KEYS:
    raise environ.ImproperlyConfigured(
        "Set MFA_ENCRYPTION_KEYS: authenticator secrets cannot be stored without them."
    )
if DEBUG and not MFA_ENCRYPTION_KEYS:
    # Development without `make run`'s key file (and the test suite): a key for this process
    # only, so authenticators set up now cannot be used after a restart.
    from cryptography.fernet import Fernet

    MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

# Optional single sign-on through OpenID Connect (Microsoft Entra ID, as NHSmail uses).
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
if OIDC_CLIENT_ID and OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "entra",
                "name": env.str("OIDC_PROVIDER_NAME", default="NHSmail"),
                "client_id": OIDC_CLIENT_ID,
                "secret": env.str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
SOCIALACCOUNT_ADAPTER = "portal.accounts.PortalSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

# --- Sessions ---------------------------------------------------------------------------------
# Idle timeout and absolute lifetime, shorter for the hub roles who see clinical records.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
# The hub's roles live in the hub's own store; the portal reads them through this function.
HUB_ROLES_OF = "wellbeing.services.hub_team.hub_roles_of"
# How long a hub lead's enrolment code for a new authenticator lasts.
HUB_ENROLMENT_CODE_HOURS = env.int("HUB_ENROLMENT_CODE_HOURS", default=24)
HUB_SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("HUB_SESSION_IDLE_MINUTES", default=15))
HUB_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("HUB_SESSION_ABSOLUTE_HOURS", default=8))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- The confidential store (used by the wellbeing app) ----------------------------------------
# Fernet keys, comma-separated: the first encrypts, all decrypt. Not SECRET_KEY, by design.
WELLBEING_ENCRYPTION_KEYS = env.list("WELLBEING_ENCRYPTION_KEYS", default=[])
WELLBEING_PSEUDONYM_KEY = env.str("WELLBEING_PSEUDONYM_KEY", default="")
if not DEBUG and not (WELLBEING_ENCRYPTION_KEYS and WELLBEING_PSEUDONYM_KEY):
    raise environ.ImproperlyConfigured(
        "Set WELLBEING_ENCRYPTION_KEYS and WELLBEING_PSEUDONYM_KEY: the Resilience Hub's "
        "records cannot be stored without them."
    )
if DEBUG and not WELLBEING_ENCRYPTION_KEYS:
    # Development without `make run`'s key file (and the test suite): keys for this process
    # only, so nothing written now can be read after a restart.
    from cryptography.fernet import Fernet

    WELLBEING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
if DEBUG and not WELLBEING_PSEUDONYM_KEY:
    import secrets

    WELLBEING_PSEUDONYM_KEY = secrets.token_urlsafe(32)

# The audit log's chain is an HMAC-SHA256 under this key, which is never in a database, so whoever
# owns the confidential database cannot rewrite an entry and recompute the chain (ADR 0019).
# AUDIT_CHAIN_RETIRED_KEYS (comma-separated) only verify entries sealed before a rotation.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
AUDIT_CHAIN_RETIRED_KEYS = env.list("AUDIT_CHAIN_RETIRED_KEYS", default=[])
if not DEBUG and not AUDIT_CHAIN_KEY:
    raise environ.ImproperlyConfigured(
        "Set AUDIT_CHAIN_KEY: the Resilience Hub's audit log cannot be sealed without it."
    )
if DEBUG and not AUDIT_CHAIN_KEY:
    import secrets

    AUDIT_CHAIN_KEY = secrets.token_urlsafe(32)
# Where the chain's head is recorded, out of the confidential database owner's reach: "database"
# (portal.AuditAnchor in the default database) or the path of an append-only file (a JSON line per
# anchor). How often: the beat schedule "Anchor the audit chain".
AUDIT_ANCHOR = env.str("AUDIT_ANCHOR", default="database")

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mind & Body Staff Portal <no-reply@portal.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before a silent mail server counts as failed (and the message is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# GOV.UK Notify instead of SMTP when a key is set. Each Notify template has subject ((subject))
# and body ((body)); NOTIFY_TEMPLATE_IDS maps our template names to others where wanted.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")
NOTIFY_TEMPLATE_IDS: dict[str, str] = env.dict("NOTIFY_TEMPLATE_IDS", default={})

# --- Outbox and outreach (portal/outbox/, docs/adr/0012-outbox.md) ----------------------------
# Messages per Celery task: one mail connection and one set of lookups serve a whole batch.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
# A claim older than this belongs to a worker that died; longer than a task may run (90 s).
OUTBOX_CLAIM_LEASE_SECONDS = env.int("OUTBOX_CLAIM_LEASE_SECONDS", default=300)
# The sweep hands a due message over again if its hand-off is older than this.
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=120)
OUTBOX_SWEEP_LIMIT = env.int("OUTBOX_SWEEP_LIMIT", default=5000)
# Attempts before a message is marked failed and shown to the hub lead or curators; the wait
# between attempts doubles from the base (with jitter), to at most an hour.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
# No non-urgent email between these local hours (start, end); equal hours turn it off.
OUTREACH_QUIET_HOURS: tuple[int, ...] = tuple(
    env.list("OUTREACH_QUIET_HOURS", cast=int, default=[21, 8])
)
# Outreach emails (check-ins, follow-up invitations, learning nudges) one person gets from one
# outbox in any 24 hours; more wait their turn. Replies and work reminders are not counted.
OUTREACH_DAILY_CAP = env.int("OUTREACH_DAILY_CAP", default=3)
# Campaign invitations released per minute, so a campaign never floods the mail server.
OUTREACH_CAMPAIGN_PER_MINUTE = env.int("OUTREACH_CAMPAIGN_PER_MINUTE", default=200)

# --- Celery -----------------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/, so that
# `make run` runs a real worker and beat with no server to install.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CELERY_QUEUE_DIR = VAR_DIR / "celery"
    for _folder in ("queue", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
    (CELERY_QUEUE_DIR / "results").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A task is acknowledged only when it has finished, and one at a time, so a worker that dies
# mid-task leaves it for another worker rather than losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat writes a schedule's last run to the database as it sends it, not every 3 minutes: a beat
# started on another machine after this one's machine is lost then does not run again what
# this one ran (`make cluster-drill`, ADR 0036).
CELERY_BEAT_SYNC_EVERY = 1
CELERY_TIMEZONE = "Europe/London"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Scripts only from this site, and the one inline script (NHS.UK's js-enabled class) by nonce.
_form_action = [SELF]
if OIDC_SERVER_URL:
    _form_action.append(OIDC_SERVER_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": _form_action,
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Demo content (development only) ---------------------------------------------------------
# Each app's demo step, run in this order by `manage.py seed_demo` after the demo accounts.
DEMO_STEPS = ["learning.demo.seed", "wellbeing.demo.seed"]

# --- Service --------------------------------------------------------------------------------
SERVICE_NAME = "Mind & Body Staff Portal"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="Beta")
FEEDBACK_EMAIL = env.str("FEEDBACK_EMAIL", default="mindandbody.portal@nhs.net")

# --- Logging (portal/logging.py) ---------------------------------------------------------------
# One JSON object per line in production, for the log collector; readable text when debugging.
# Every line carries the id of its request (also sent back as X-Request-ID) or Celery task.
# Lines hold ids and paths, never names, addresses or anything typed: query strings are cut
# (a search is free text) and exception messages left out (they can quote a row).
# Trust the proxy's X-Request-ID only when the proxy always sets it (so its logs and ours match).
TRUST_X_REQUEST_ID = env.bool("DJANGO_TRUST_X_REQUEST_ID", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.logging.RequestIdFilter"},
        "scrub": {"()": "portal.logging.ScrubFilter"},
    },
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if DEBUG else "json",
            "filters": ["request_id", "scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Everything through the one handler above. Django's own would email ADMINS the request
        # with each error, and print the development server's request lines with their query
        # strings. "django" stays at INFO whatever LOG_LEVEL says, so SQL and its parameters
        # are never logged.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Notify's client logs Notify's error text, which can quote the address it was sending
        # to; the outbox logs the error's type itself.
        "notifications_python_client": {"level": "CRITICAL"},
    },
}

# --- Learning -------------------------------------------------------------------------------
# The weekly link checker connects only to public internet addresses, so a resource's link cannot
# reach the portal's own network. Hosts listed here may resolve to private or loopback addresses
# (a trust intranet's learning site; tests put 127.0.0.1 here for their local web server).
LINK_CHECK_ALLOWED_HOSTS: list[str] = env.list("LINK_CHECK_ALLOWED_HOSTS", default=[])
# Publishing is a two-person step: the curator who last changed a resource cannot publish it
# (ADR 0035). A team with one curator turns this off; the history then says no second curator
# checked each resource it publishes.
LEARNING_SINGLE_CURATOR = env.bool("LEARNING_SINGLE_CURATOR", default=False)

# --- Resilience Hub -----------------------------------------------------------------------------
HUB_LOCAL_CRISIS_LINE = env.str("HUB_LOCAL_CRISIS_LINE", default="")
# "My hub" asks for the password again when the last sign-in is older than this. allauth's
# ACCOUNT_REAUTHENTICATION_TIMEOUT is global; this applies to the confidential pages only.
HUB_REAUTHENTICATE_AFTER_MINUTES = env.int("HUB_REAUTHENTICATE_AFTER_MINUTES", default=15)
# How soon the hub aims to contact someone who refers themselves, in working days (weekends and
# England and Wales bank holidays excluded).
HUB_CONTACT_TARGET_WORKING_DAYS = env.int("HUB_CONTACT_TARGET_WORKING_DAYS", default=2)
# How soon the hub aims to contact someone whose referral is urgent (a risk answer), in hours
# counted on every day, nights, weekends and bank holidays included (ADR 0026).
HUB_URGENT_CONTACT_TARGET_HOURS = env.int("HUB_URGENT_CONTACT_TARGET_HOURS", default=24)
# Where the alert for an urgent self-referral goes (a monitored duty inbox). The alert says only
# that one is waiting.
HUB_DUTY_EMAIL = env.str("HUB_DUTY_EMAIL", default="")
# How long an unfinished self-referral is kept, encrypted, after its last change.
HUB_DRAFT_HOURS = env.int("HUB_DRAFT_HOURS", default=48)
# How long a closed or withdrawn referral is kept before `manage.py purge_closed_referrals`
# removes it. The default is 20 years (7305 days), the Records Management Code of Practice 2021
# (England) period for mental health records (Appendix II); set what the organisation's retention
# schedule says.
HUB_RETENTION_DAYS = env.int("HUB_RETENTION_DAYS", default=20 * 365 + 5)
# When a referral's follow-up check-ins fall due after an outcome: days (d), weeks (w) or months
# (m), in order. wellbeing/services/follow_up.py refuses anything else.
HUB_FOLLOW_UP_SCHEDULE = env.str("HUB_FOLLOW_UP_SCHEDULE", default="4w,3m,6m,12m")
# The portal's address, for links in emails (which are sent without a request to build them).
PORTAL_URL = env.str("PORTAL_URL", default="http://localhost:8000")
