"""Neural Atlas settings: every knob is an environment variable with a local default."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(env(name, default))


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_rq",
    "catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "atlas_site.urls"
WSGI_APPLICATION = "atlas_site.wsgi.application"

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
            ],
        },
    },
]

# SQLite by default; PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Worker processes write while the web process reads: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests share one file database with real worker processes.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_DATABASE_FILE", str(BASE_DIR / ".test-db.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True  # serve static/ as it is; collectstatic is for production
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

REDIS_URL = env("REDIS_URL", "redis://localhost:6379/0")
RQ_QUEUES = {
    "render": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint("RENDER_TIMEOUT", "3600")},
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
}
# Enqueue at once: the view must know whether Redis took the job, and jobs only read rows
# that were committed before (views run in autocommit).
RQ = {"COMMIT_MODE": "auto"}

# The atlas: which device renders, and what a default still is.
ATLAS_DEFAULT_STILL = {
    "size": envint("ATLAS_STILL_SIZE", "128"),
    "steps": envint("ATLAS_STILL_STEPS", "256"),
}
# Workshop sketching: the variants visitors (and staff) may ask for on a channel page.
ATLAS_SKETCH_LIMITS = {
    "visitor": {
        "size": envint("ATLAS_MAX_VISITOR_SIZE", "256"),
        "steps": envint("ATLAS_MAX_VISITOR_STEPS", "512"),
        "count": envint("ATLAS_MAX_VISITOR_COUNT", "6"),
    },
    "staff": {"size": 8192, "steps": 10000, "count": 16},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 2**20  # photographs
# Seconds between progress writes to the database while a still renders.
ATLAS_PROGRESS_INTERVAL = float(env("ATLAS_PROGRESS_INTERVAL", "0.5"))
# Stills a worker renders in one optimization; 0: as many as the device's memory holds.
ATLAS_BATCH_SIZE = envint("ATLAS_BATCH_SIZE", "0")

# Where `export_catalogue` writes when an admin starts it from the site.
ATLAS_CATALOGUE_DIR = Path(env("ATLAS_CATALOGUE_DIR", str(BASE_DIR / "catalogue")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
