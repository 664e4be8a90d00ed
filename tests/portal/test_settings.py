"""Settings come from the environment, and production settings are hardened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-deploy-check",
    "DJANGO_ALLOWED_HOSTS": "portal.example.nhs.uk",
    "WELLBEING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "WELLBEING_PSEUDONYM_KEY": "a-pseudonym-key-that-is-not-the-secret-key",
    "AUDIT_CHAIN_KEY": "an-audit-chain-key-that-is-not-the-secret-key",
    "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check-default.sqlite3",
    "CONFIDENTIAL_DATABASE_URL": "sqlite:////tmp/portal-deploy-check-confidential.sqlite3",
}


def run_manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Start from a clean environment so the developer's own variables cannot leak in.
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **environment, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_under_production_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION_ENVIRONMENT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_wellbeing_keys():
    environment = {
        k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "WELLBEING_ENCRYPTION_KEYS"
    }
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert "WELLBEING_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_to_start_without_the_mfa_keys():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "MFA_ENCRYPTION_KEYS"}
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS" in result.stderr


def test_debug_is_off_unless_asked_for():
    script = "from django.conf import settings; print(settings.DEBUG)"
    result = run_manage("shell", "--no-imports", "-c", script, environment=PRODUCTION_ENVIRONMENT)
    assert result.stdout.strip() == "False", result.stderr
    result = run_manage("shell", "--no-imports", "-c", script, environment={"DJANGO_DEBUG": "1"})
    assert result.stdout.strip() == "True", result.stderr


def test_without_database_urls_both_databases_are_sqlite_files_under_var():
    script = (
        "from django.conf import settings; d = settings.DATABASES; "
        "print(d['default']['NAME']); print(d['confidential']['NAME'])"
    )
    result = run_manage("shell", "--no-imports", "-c", script, environment={"DJANGO_DEBUG": "1"})
    default_name, confidential_name = result.stdout.split()
    assert default_name == str(ROOT / "var" / "default.sqlite3")
    assert confidential_name == str(ROOT / "var" / "confidential.sqlite3")


def test_single_sign_on_is_configured_only_from_the_environment():
    script = (
        "from django.conf import settings; import json; "
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS)); "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    result = run_manage("shell", "--no-imports", "-c", script, environment={"DJANGO_DEBUG": "1"})
    assert result.stdout.splitlines()[0] == "{}", result.stderr

    entra = "https://login.microsoftonline.com/tenant-id/v2.0"
    environment = {
        "DJANGO_DEBUG": "1",
        "OIDC_CLIENT_ID": "portal-client",
        "OIDC_CLIENT_SECRET": "client-secret",
        "OIDC_SERVER_URL": entra,
    }
    result = run_manage("shell", "--no-imports", "-c", script, environment=environment)
    providers_line, form_action_line = result.stdout.splitlines()
    assert '"provider_id": "entra"' in providers_line
    assert f'"server_url": "{entra}"' in providers_line
    assert entra in form_action_line  # the browser may follow the sign-in redirect to Entra


def test_production_refuses_to_start_without_the_audit_chain_key():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "AUDIT_CHAIN_KEY"}
    result = run_manage("check", environment=environment)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY" in result.stderr
