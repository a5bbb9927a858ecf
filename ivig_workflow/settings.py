"""Where things live and what the environment tells the process: every `IVIG_*` variable.

One pydantic-settings model, `Settings`, reads them all. It is read at call time, not
at import, so that tests and `ivig serve` can point a process elsewhere between calls:
`get_settings()` looks up the variables on each call and builds a model only when their
values changed (building one costs ~0.5 ms, too much for a path every ward event takes).
docs/configuration.md is generated from the fields by `document()`; a test keeps the two
equal (`make docs` regenerates it).

Defaults depend on where the code runs. In a source checkout (or its editable install)
the top-level `config/` and `state/` are used; an installed wheel carries the default
config and the migrations inside the package (`_data/`, see pyproject.toml) and keeps
its state under the working directory.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ivig_workflow.domain.errors import InputError

ENV_PREFIX = "IVIG_"
REPO_ROOT = Path(__file__).resolve().parent.parent
# Filled only in a built wheel, by hatchling's force-include (pyproject.toml).
PACKAGED_DATA = Path(__file__).resolve().parent / "_data"


def _variable(default: str, meaning: str) -> Any:
    """A field that is unset (None) unless its variable is, with its default in words."""
    return Field(default=None, description=meaning, json_schema_extra={"default": default})


class Settings(BaseSettings):
    """Every variable the application reads; None means "use the default"."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True)

    config_dir: Path | None = _variable(
        "the checkout's `config/`, else the copy inside the installed package",
        "The folder of the guideline, products, centres, dosing policy, notification "
        "routes and schedules.",
    )
    state_dir: Path | None = _variable(
        "the checkout's `state/`, else `./state`",
        "The folder of runtime files: the embedded SQLite database, file sinks' output, "
        "the local Prefect server's home.",
    )
    database_url: str | None = _variable(
        "`sqlite:///` the file `ivig.sqlite3` in the state folder",
        "Our database: `sqlite:///path` or, in production, `postgresql://user@host/db` "
        "(run `ivig db upgrade` there).",
    )
    schedules_file: Path | None = _variable(
        "`schedules.yaml` in the config folder",
        "How often the clock of `ivig serve` fires each flow (tests use short intervals).",
    )
    api_tokens: SecretStr | None = _variable(
        "none",
        "Bearer tokens of ward systems, `name:token,name:token`, besides those made by "
        "`ivig token create`.",
    )
    api_tokens_file: Path | None = _variable(
        "none",
        "A secrets file of bearer tokens, one `name:token` a line.",
    )
    message_retention_days: str | None = _variable(
        "90",
        "Days a received hospital message (HL7 v2, FHIR, batch) is kept before the "
        "dispatch job purges it; a whole number, at least 1.",
    )
    sqlite_synchronous: str | None = _variable(
        "`FULL`",
        "SQLite's `synchronous` for the embedded database: `FULL` (an accepted event "
        "survives a power cut), `NORMAL` (faster) or `EXTRA`.",
    )
    wal_alarm_mb: str | None = _variable(
        "256",
        "A WAL file larger than this raises an operator work item.",
    )
    wal_stuck_minutes: str | None = _variable(
        "30",
        "WAL checkpoints failing for longer than this raise an operator work item.",
    )
    dashboard_auth: SecretStr | None = _variable(
        "generated into the state folder when the dashboard is bound beyond loopback",
        "`user:password` (password 12 characters or more) for the Prefect dashboard and its API.",
    )
    api_public_docs: bool | None = _variable(
        "off",
        "`1` serves `/openapi.json` and `/docs` without a token (behind a trusted network only).",
    )
    api_writer: str | None = _variable(
        "`thread`",
        "Where the ward API's group commit writes: `thread` (in the API process) or "
        "`process` (a process of its own, out of the interpreter lock that HTTP parsing "
        "holds).",
    )


VARIABLES = {name: ENV_PREFIX + name.upper() for name in Settings.model_fields}


def get_settings() -> Settings:
    """The settings as the environment says now."""
    return _settings_for(tuple(os.environ.get(variable) for variable in VARIABLES.values()))


@functools.lru_cache(maxsize=16)
def _settings_for(_values: tuple[str | None, ...]) -> Settings:
    return Settings()


class _GivenOnly(Settings):
    """The same fields and checks, fed from the arguments alone, never the process's
    environment."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def settings_from(environ: Mapping[str, str]) -> Settings:
    """The settings a given environment would give, ignoring the process's own."""
    given = {
        name: environ[variable] for name, variable in VARIABLES.items() if environ.get(variable)
    }
    return Settings.model_construct(**dict(_GivenOnly.model_validate(given)))


@functools.cache
def in_checkout() -> bool:
    # A checkout has pyproject.toml beside the package; an installed wheel lives in
    # site-packages, where REPO_ROOT is site-packages itself.
    return (REPO_ROOT / "pyproject.toml").is_file()


def config_dir() -> Path:
    given = get_settings().config_dir
    if given is not None:
        return given
    return REPO_ROOT / "config" if in_checkout() else PACKAGED_DATA / "config"


def migrations_dir() -> Path:
    """The Alembic scripts: never from a variable, the schema history goes with the code."""
    return REPO_ROOT / "state" / "migrations" if in_checkout() else PACKAGED_DATA / "migrations"


def state_dir() -> Path:
    given = get_settings().state_dir
    if given is not None:
        return given
    return REPO_ROOT / "state" if in_checkout() else Path.cwd() / "state"


def database_url() -> str:
    url = get_settings().database_url
    if url:
        return url
    return f"sqlite:///{state_dir() / 'ivig.sqlite3'}"


def positive_whole(field: str, default: int) -> int:
    """A setting that counts something (days, minutes, MB): unset is `default`; anything
    but a whole number from 1 is refused naming its variable."""
    text = (getattr(get_settings(), field) or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        rule = f"must be a whole number, at least 1, not {text!r}"
        raise InputError(VARIABLES[field], rule)
    return int(text)


def api_public_docs() -> bool:
    """IVIG_API_PUBLIC_DOCS=1 serves /openapi.json and /docs without a token."""
    return bool(get_settings().api_public_docs)


def api_writer_process() -> bool:
    """IVIG_API_WRITER=process: the group commit's writer in a process of its own."""
    text = (get_settings().api_writer or "thread").strip()
    if text not in ("thread", "process"):
        raise InputError(VARIABLES["api_writer"], f"must be thread or process, not {text!r}")
    return text == "process"


def schedules_file() -> Path:
    return get_settings().schedules_file or config_dir() / "schedules.yaml"


def _default_in_words(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    return str(extra["default"]) if isinstance(extra, dict) else ""


def document() -> str:
    """docs/configuration.md: one row per variable, from the fields above."""
    rows = "\n".join(
        f"| `{VARIABLES[name]}` | {_default_in_words(field)} | {field.description} |"
        for name, field in Settings.model_fields.items()
    )
    return (
        "# Configuration\n\n"
        "Generated from `ivig_workflow.settings.Settings` by "
        "`ivig_workflow.settings.document()` (`make docs`); do not edit by hand.\n\n"
        "The application reads these environment variables when it needs them, so a "
        "change applies to the next command or request. An empty value counts as unset.\n\n"
        "| variable | default | meaning |\n"
        "| --- | --- | --- |\n"
        f"{rows}\n\n"
        "Notification sinks read their secrets from variables that "
        "`config/notifications.yaml` names (`secret_env`, `username_env`, `password_env`, "
        "`url_env`), so those names are the centre's choice. The tests, the benchmarks and "
        "`scripts/with-postgres.sh` read their own (`IVIG_TEST_POSTGRES_URL`, "
        "`IVIG_REQUIRE_POSTGRES`, `IVIG_POSTGRES_BINDIR`, `IVIG_BENCH_CACHE`, "
        "`IVIG_BENCH_RESULTS`); the application never does.\n"
    )
