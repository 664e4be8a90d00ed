"""`make run`'s development key file gains keys added to the project, and keeps the ones it has."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from portal import devkeys


def test_a_new_key_file_holds_every_key_including_the_mfa_keys(tmp_path: Path):
    target = tmp_path / "development.env"

    devkeys.main(str(target))

    names = {line.partition("=")[0] for line in target.read_text().splitlines() if "=" in line}
    assert names == set(devkeys.development_keys())
    assert "MFA_ENCRYPTION_KEYS" in names


def test_an_older_key_file_gains_the_mfa_keys_and_keeps_its_own(tmp_path: Path):
    target = tmp_path / "development.env"
    older = (
        "DJANGO_SECRET_KEY=kept\nWELLBEING_ENCRYPTION_KEYS=kept-too\nWELLBEING_PSEUDONYM_KEY=kept"
    )
    target.write_text(older)

    devkeys.main(str(target))
    once = target.read_text()
    devkeys.main(str(target))

    assert once.startswith(older + "\n")
    mfa_key = dict(line.split("=", 1) for line in once.splitlines())["MFA_ENCRYPTION_KEYS"]
    Fernet(mfa_key.encode())  # a real Fernet key
    assert target.read_text() == once
