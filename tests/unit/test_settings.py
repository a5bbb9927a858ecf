"""Settings: every IVIG_* variable in one model, read at call time; defaults follow
where the code runs (a checkout, or an installed wheel with its packaged copies)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivig_workflow import settings
from ivig_workflow.api.tokens import configured_tokens, token_hash
from ivig_workflow.orchestrator.schedules import schedules_file

DOC = settings.REPO_ROOT / "docs" / "configuration.md"
SOURCES = [settings.REPO_ROOT / "ivig_workflow", settings.REPO_ROOT / "flows"]
# Named in the doc's closing note: read by tests, benchmarks and scripts only.
NOT_APPLICATION = {
    "IVIG_TEST_POSTGRES_URL",
    "IVIG_REQUIRE_POSTGRES",
    "IVIG_POSTGRES_BINDIR",
    "IVIG_BENCH_CACHE",
    "IVIG_BENCH_RESULTS",
}


@pytest.fixture(autouse=True)
def _no_ivig_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in settings.VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)


def test_the_checked_in_document_matches_the_generator() -> None:
    assert DOC.read_text(encoding="utf-8") == settings.document(), (
        "regenerate docs/configuration.md with `make docs`"
    )


def test_every_variable_the_code_names_is_a_setting_and_documented() -> None:
    named = {
        match
        for folder in SOURCES
        for path in folder.rglob("*.py")
        for match in re.findall(r"\bIVIG_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8"))
    }
    assert named - NOT_APPLICATION <= set(settings.VARIABLES.values())
    table = settings.document().split("| --- | --- | --- |\n")[1].split("\n\n")[0]
    assert [line.split("`")[1] for line in table.splitlines()] == list(settings.VARIABLES.values())


def test_in_a_checkout_the_defaults_are_its_folders() -> None:
    root = settings.REPO_ROOT
    assert settings.in_checkout()
    assert settings.config_dir() == root / "config"
    assert settings.state_dir() == root / "state"
    assert settings.migrations_dir() == root / "state" / "migrations"
    assert settings.database_url() == f"sqlite:///{root / 'state' / 'ivig.sqlite3'}"
    assert schedules_file() == root / "config" / "schedules.yaml"


def test_an_installed_package_uses_its_packaged_copies_and_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "in_checkout", lambda: False)
    monkeypatch.chdir(tmp_path)
    packaged = Path(settings.__file__).resolve().parent / "_data"
    assert settings.config_dir() == packaged / "config"
    assert settings.migrations_dir() == packaged / "migrations"
    assert settings.state_dir() == tmp_path / "state"
    monkeypatch.setenv("IVIG_CONFIG_DIR", str(tmp_path / "centre"))
    assert settings.config_dir() == tmp_path / "centre"
    assert settings.migrations_dir() == packaged / "migrations"


def test_variables_override_and_are_read_on_each_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IVIG_CONFIG_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("IVIG_STATE_DIR", str(tmp_path / "s"))
    assert settings.config_dir() == tmp_path / "a"
    assert schedules_file() == tmp_path / "a" / "schedules.yaml"
    assert settings.database_url() == f"sqlite:///{tmp_path / 's' / 'ivig.sqlite3'}"
    monkeypatch.setenv("IVIG_CONFIG_DIR", str(tmp_path / "b"))
    monkeypatch.setenv("IVIG_DATABASE_URL", "postgresql://ivig@db/ivig")
    monkeypatch.setenv("IVIG_SCHEDULES_FILE", str(tmp_path / "fast.yaml"))
    assert settings.config_dir() == tmp_path / "b"
    assert settings.database_url() == "postgresql://ivig@db/ivig"
    assert schedules_file() == tmp_path / "fast.yaml"
    monkeypatch.delenv("IVIG_CONFIG_DIR")
    assert settings.config_dir() == settings.REPO_ROOT / "config"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("IVIG_CONFIG_DIR", "IVIG_DATABASE_URL", "IVIG_SCHEDULES_FILE"):
        monkeypatch.setenv(variable, "")
    assert settings.config_dir() == settings.REPO_ROOT / "config"
    assert settings.database_url().startswith("sqlite:///")
    assert schedules_file() == settings.REPO_ROOT / "config" / "schedules.yaml"


def test_a_given_environment_reads_like_the_process_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given = {
        "IVIG_STATE_DIR": str(tmp_path),
        "IVIG_API_TOKENS": "ward-3:s3cret",
        "IVIG_API_TOKENS_FILE": "",
        "IVIG_UNKNOWN": "ignored",
        "PATH": "/bin",
    }
    for variable, value in given.items():
        monkeypatch.setenv(variable, value)
    assert settings.settings_from(given) == settings.get_settings()
    assert settings.settings_from({}) != settings.get_settings()
    assert "s3cret" not in repr(settings.get_settings())


def test_tokens_come_from_the_variable_and_the_secrets_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "tokens"
    secrets.write_text("lab:l4b\n", encoding="utf-8")
    monkeypatch.setenv("IVIG_API_TOKENS", "ward-3:w4rd")
    monkeypatch.setenv("IVIG_API_TOKENS_FILE", str(secrets))
    hashes = {name: token.hash for name, token in configured_tokens().items()}
    assert hashes == {"ward-3": token_hash("w4rd"), "lab": token_hash("l4b")}
    monkeypatch.delenv("IVIG_API_TOKENS_FILE")
    assert {name: t.hash for name, t in configured_tokens().items()} == {
        "ward-3": token_hash("w4rd")
    }
