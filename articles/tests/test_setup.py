"""The project as set up by `make run` and checked by CI: database, migrations, deploy checks, idempotent setup."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from articles.models import Actor, ActorAlias, Article, Author, Region, RegionAlias, Section

ROOT = Path(__file__).resolve().parents[2]


def test_suite_runs_on_the_configured_database(db):
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    assert connection.vendor == expected


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "x9" * 20,
        "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "DATABASE_URL": ""}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, RegionAlias, Actor, ActorAlias, Article, Section, Author, Group)
    }


@pytest.mark.django_db
def test_make_run_setup_twice_duplicates_nothing(capsys):
    def setup():
        call_command("setup_roles")
        call_command("load_gazetteer")
        call_command("load_demo", force=True)  # tests run with DEBUG off

    setup()
    first = _counts()
    output = capsys.readouterr().out
    setup()
    assert _counts() == first
    assert first["Region"] > 500 and first["Actor"] > 100 and first["Article"] >= 10
    assert set(Group.objects.values_list("name", flat=True)) == {"Reporter", "Editor", "Publisher", "Admin"}
    for username in ("reporter", "editor", "publisher", "admin"):
        assert f"username {username}" in output
    # The beat is reachable through its spellings, in both languages.
    assert Region.objects.by_name("Deir Ezzor") == Region.objects.by_name("دير الزور") is not None
    assert Actor.objects.by_name("Daesh") == Actor.objects.by_name("داعش") is not None
    syria = Region.objects.by_name("Syria")
    assert syria.iso_code == "SY" and syria.name == "Syria"
    assert Region.objects.by_name("Baghouz") in Region.objects.descendants_of(syria)


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("load_demo", force=True)
    # Through the login form, as a person signs in (django-axes watches it, so client.login cannot be used).
    response = client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "editor-demo-pass"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_accounts_are_refused_with_debug_off_unless_forced():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo")
    assert not Article.objects.exists()
