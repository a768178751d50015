"""Neural Atlas settings: every knob is an environment variable with a local default."""

import json
import os
import socket
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(env(name, default))


def envjson(name: str, default: str = "{}") -> dict:
    """A JSON object (e.g. a storage's options); anything else stops the start, naming it."""
    try:
        value = json.loads(env(name, default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object, like {{"key": "value"}}')
    return value


DEVELOPMENT_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_KEY)
# Local runs (scripts/run, the tests) are DEBUG; a deployment sets DEBUG=false and a key.
DEBUG = envbool("DEBUG", "True")
if not DEBUG and SECRET_KEY == DEVELOPMENT_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key: set SECRET_KEY "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# HTTPS: on by default when DEBUG is off; each can be turned off for a plain-HTTP host.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
if envbool("BEHIND_PROXY", str(not DEBUG)):
    # The proxy in front (nginx, a load balancer) terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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
    "catalog.atlas",
    "catalog.curation",
    "catalog.corpora",
    "catalog.cinema",
    "catalog.catalogue",
    "catalog.relations",
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
    "django_ratelimit.middleware.RatelimitMiddleware",  # a throttled request gets the 429 page
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
# Media (stills, films, prints) and visitors' photographs go through Django's storage API:
# a folder by default (shared by NFS between machines), or any storage class with JSON
# options, e.g. MEDIA_STORAGE=storages.backends.s3.S3Storage with
# MEDIA_STORAGE_OPTIONS='{"bucket_name": "atlas-media"}' (django-storages; docs/deploy.md).
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE", "catalog.storage.AtomicFileSystemStorage"),
        "OPTIONS": envjson("MEDIA_STORAGE_OPTIONS"),
    },
    "private": {
        "BACKEND": env("PRIVATE_STORAGE", "catalog.storage.PrivateFileStorage"),
        "OPTIONS": envjson("PRIVATE_STORAGE_OPTIONS"),
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True  # serve static/ as it is; collectstatic is for production
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Visitors' photographs: shared with the workers like MEDIA_ROOT, but never served.
ATLAS_PRIVATE_ROOT = Path(env("ATLAS_PRIVATE_ROOT", str(BASE_DIR / "private")))

REDIS_URL = env("REDIS_URL", "redis://localhost:6379/0")
# Workers listen in this order: what a person watches, then the fills of the pages being
# viewed, then batch renders and films, then the rest (`rqworker live fill render default`).
RQ_QUEUES = {
    "live": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint("RENDER_TIMEOUT", "3600")},
    "fill": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint("RENDER_TIMEOUT", "3600")},
    "render": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint("RENDER_TIMEOUT", "3600")},
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
}
# Enqueue at once: the view must know whether Redis took the job, and jobs only read rows
# that were committed before (views run in autocommit).
RQ = {"COMMIT_MODE": "auto", "WORKER_CLASS": "catalog.worker.AtlasWorker"}
# The rate limits' counters live in Redis, shared by every web process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "catalog.atlas.views.channels.too_many_requests"

# The atlas: which device renders, and what a default still is.
ATLAS_DEFAULT_STILL = {
    "size": envint("ATLAS_STILL_SIZE", "128"),
    "steps": envint("ATLAS_STILL_STEPS", "128"),
}
# Class stills (an image network's logits) keep renderer 6's recipe: at renderer 7's 128
# steps and lr 0.08, other networks recognise them less often (docs/benchmarks.md).
# ATLAS_CLASS_STILL_STEPS=0: class stills take the default still's recipe.
ATLAS_CLASS_STILL = (
    {"steps": steps, "learning_rate": float(env("ATLAS_CLASS_STILL_RATE", "0.05"))}
    if (steps := envint("ATLAS_CLASS_STILL_STEPS", "256"))
    else {}
)
# Prints staff order from a channel page: their sides, and the still they grow from.
ATLAS_PRINT_SIZES = tuple(int(s) for s in env("ATLAS_PRINT_SIZES", "1024,2048,4096").split(","))
ATLAS_PRINT_STILL = {
    "size": envint("ATLAS_PRINT_BASE", "256"),
    "steps": envint("ATLAS_PRINT_STEPS", "512"),
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
# Visitors' new variants: per client address, and how many may wait at once.
ATLAS_VARIANT_RATE = env("ATLAS_VARIANT_RATE", "10/m")
ATLAS_MAX_PENDING_PER_VISITOR = envint("ATLAS_MAX_PENDING_PER_VISITOR", "3")
ATLAS_MAX_PENDING_VARIANTS = envint("ATLAS_MAX_PENDING_VARIANTS", "20")
# Variants and photographs nobody kept are deleted after this many seconds.
ATLAS_VARIANT_TTL = envint("ATLAS_VARIANT_TTL", str(7 * 24 * 3600))
# Photographs for dream variants: refused above these, before decoding.
ATLAS_MAX_PHOTO_BYTES = envint("ATLAS_MAX_PHOTO_BYTES", str(12 * 2**20))
ATLAS_MAX_PHOTO_PIXELS = envint("ATLAS_MAX_PHOTO_PIXELS", str(24_000_000))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE = ATLAS_MAX_PHOTO_BYTES + 2**20
# Login attempts per address and per user name (then a 429 until the window passes).
ATLAS_LOGIN_RATE = env("ATLAS_LOGIN_RATE", "10/10m")
# Seconds between progress writes to the database while a still renders.
ATLAS_PROGRESS_INTERVAL = float(env("ATLAS_PROGRESS_INTERVAL", "0.5"))
# Stills a worker renders in one optimization; 0: as many as the device's memory holds.
ATLAS_BATCH_SIZE = envint("ATLAS_BATCH_SIZE", "0")
# Opening the home, a network or a layer page queues the missing default stills it shows
# (catalog/atlas/fill.py), ATLAS_FILL_BATCH stills a job on the "fill" queue.
ATLAS_FILL = envbool("ATLAS_FILL", "True")
ATLAS_FILL_BATCH = envint("ATLAS_FILL_BATCH", "8")
# Stills in one queued job of a batch render (several workers share a layer by jobs).
ATLAS_JOB_SIZE = envint("ATLAS_JOB_SIZE", "64")
# The name a worker writes on the stills it renders (default: host name and process id).
ATLAS_WORKER_NAME = env("ATLAS_WORKER_NAME", f"{socket.gethostname()}:{os.getpid()}")
# Workers: how often they look after dead renders, when a running still counts as dead,
# how many deaths fail it, how often the cleanups run.
ATLAS_WORKER_TICK = float(env("ATLAS_WORKER_TICK", "15"))
ATLAS_STALE_AFTER = float(env("ATLAS_STALE_AFTER", "45"))
ATLAS_MAX_RENDER_DEATHS = envint("ATLAS_MAX_RENDER_DEATHS", "3")
ATLAS_CLEANUP_INTERVAL = envint("ATLAS_CLEANUP_INTERVAL", "3600")
# A film job may run this long (seconds) before RQ stops it.
ATLAS_FILM_TIMEOUT = envint("ATLAS_FILM_TIMEOUT", str(24 * 3600))
# Films the atlas writes itself (catalog/cinema/storyboards.py): a channel's looping preview (a
# square zoom), a layer's montage, a tour (a hold per stop, transitions within a layer).
ATLAS_PREVIEW_FILM = {
    "size": envint("ATLAS_PREVIEW_SIZE", "128"),
    "seconds": envint("ATLAS_PREVIEW_SECONDS", "3"),
    "fps": envint("ATLAS_PREVIEW_FPS", "12"),
    "steps": envint("ATLAS_PREVIEW_STEPS", "6"),
    "first_steps": envint("ATLAS_PREVIEW_FIRST_STEPS", "96"),
}
ATLAS_MONTAGE_FILM = {
    "size": [envint("ATLAS_MONTAGE_WIDTH", "1920"), envint("ATLAS_MONTAGE_HEIGHT", "1080")],
    "seconds": envint("ATLAS_MONTAGE_SECONDS", "6"),
    "fps": envint("ATLAS_MONTAGE_FPS", "24"),
    "channels": envint("ATLAS_MONTAGE_CHANNELS", "16"),  # at most 16
}
ATLAS_TOUR_FILM = {
    "size": [envint("ATLAS_TOUR_WIDTH", "1280"), envint("ATLAS_TOUR_HEIGHT", "720")],
    "fps": envint("ATLAS_TOUR_FPS", "24"),
    "hold": envint("ATLAS_TOUR_HOLD_SECONDS", "4"),
    "transition": envint("ATLAS_TOUR_TRANSITION_SECONDS", "2"),
}

# Films' frame cache (a local or shared folder: the renderer writes real files; empty:
# MEDIA_ROOT/frames). Shared between machines, a stopped film resumes on any worker.
ATLAS_FRAME_CACHE = env("ATLAS_FRAME_CACHE", "")

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
