"""Deployment defaults: no development key in production, HTTPS settings, throttled logins."""

import os
import subprocess
import sys

from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import ROOT


def manage(*args, **env):
    unset = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the browser tests set it
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_refuses_the_development_key():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "a-long-random-production-key-for-this-test-only",
        ALLOWED_HOSTS="atlas.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_logins_are_throttled(db, settings):
    settings.ATLAS_LOGIN_RATE = "10/10m"
    User.objects.create_user("carla", password="the-right-password")
    visitor = Client()
    codes = [
        visitor.post("/accounts/login/", {"username": "carla", "password": f"wrong{i}"}).status_code
        for i in range(30)
    ]
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
    right = visitor.post(
        "/accounts/login/", {"username": "carla", "password": "the-right-password"}
    )
    assert right.status_code == 429 and "_auth_user_id" not in visitor.session
