"""config/notifications.yaml -> validated notification config.

Secrets never live in the file: it names the environment variables that hold
them. Every refusal names the file and the field, e.g.
`config/notifications.yaml: routes.pharmacy[0]: unknown sink 'sms'`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.retry import RetryPolicy
from ivig_workflow.settings import config_dir

EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
SinkName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
_SECRET_FIELDS = ("secret", "password", "token", "api_key", "apikey")


class NotificationsConfigError(InputError):
    def __init__(self, file: Path, field: str, rule: str) -> None:
        super().__init__(f"{file}: {field}" if field else str(file), rule)
        self.file = file
        self.config_field = field


class _SinkSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_secret_values(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for field in data:
                if str(field).lower() in _SECRET_FIELDS:
                    raise ValueError(
                        f"{field!r}: secrets never go in config; name an environment "
                        f"variable in {field}_env"
                    )
        return data


class JsonlSettings(_SinkSettings):
    type: Literal["jsonl"]
    path: str = "notifications.jsonl"
    idempotent: bool = True

    @field_validator("path")
    @classmethod
    def _inside_state_folder(cls, path: str) -> str:
        parts = PurePosixPath(path).parts
        if not parts or path.startswith("/") or ".." in parts:
            raise ValueError("must be a relative path inside the state folder")
        return path


class WebhookSettings(_SinkSettings):
    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_env: EnvName
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class SmtpSettings(_SinkSettings):
    type: Literal["smtp"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: dict[Role, list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]]]
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)


class AppriseSettings(_SinkSettings):
    type: Literal["apprise"]
    url: str | None = None
    url_env: EnvName | None = None

    @model_validator(mode="after")
    def _one_url(self) -> AppriseSettings:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url or url_env (url_env when it holds a token)")
        return self


SinkSettings = Annotated[
    JsonlSettings | WebhookSettings | SmtpSettings | AppriseSettings,
    Field(discriminator="type"),
]


# A role a file written before it existed does not route: it reaches whoever did
# its work until then (the infusion nurses booked chairs by hand before `scheduler`).
ROUTED_AS: dict[Role, Role] = {Role.SCHEDULER: Role.INFUSION_NURSE}


class NotificationsConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    retry: RetryPolicy = RetryPolicy()
    sinks: dict[SinkName, SinkSettings] = Field(min_length=1)
    routes: dict[Role, list[SinkName]]

    @model_validator(mode="before")
    @classmethod
    def _route_newer_roles(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("routes"), dict):
            return data
        routes = dict(data["routes"])
        sinks = data.get("sinks")
        for role, stand_in in ROUTED_AS.items():
            if role.value in routes or stand_in.value not in routes:
                continue
            routes[role.value] = routes[stand_in.value]
            if isinstance(sinks, dict):  # e-mail sinks send it to the stand-in's addresses
                sinks = {name: _mail_as(sink, role, stand_in) for name, sink in sinks.items()}
        return {**data, "routes": routes, **({"sinks": sinks} if sinks is not None else {})}


def _mail_as(sink: Any, role: Role, stand_in: Role) -> Any:
    to = sink.get("to") if isinstance(sink, dict) else None
    if not isinstance(to, dict) or role.value in to or stand_in.value not in to:
        return sink
    return {**sink, "to": {**to, role.value: to[stand_in.value]}}


def check_references(config: NotificationsConfig) -> None:
    """Every role reaches at least one defined sink, and e-mail sinks know its addresses."""
    for role in Role:
        names = config.routes.get(role, [])
        if not names:
            raise InputError(f"routes.{role.value}", "every role needs at least one sink")
        for index, name in enumerate(names):
            sink = config.sinks.get(name)
            if sink is None:
                raise InputError(f"routes.{role.value}[{index}]", f"unknown sink {name!r}")
            if isinstance(sink, SmtpSettings) and not sink.to.get(role):
                raise InputError(f"sinks.{name}.to.{role.value}", "no address for a routed role")


def load_notifications(path: Path | None = None) -> NotificationsConfig:
    path = path or config_dir() / "notifications.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise NotificationsConfigError(path, "", "file not found") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise NotificationsConfigError(path, "", f"not valid YAML{where}") from error
    if not isinstance(raw, dict):
        raise NotificationsConfigError(path, "", "must be a mapping with sinks and routes")
    try:
        config = NotificationsConfig.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise NotificationsConfigError(path, _field(first["loc"], raw), message) from None
    try:
        check_references(config)
    except InputError as error:
        raise NotificationsConfigError(path, error.field, error.rule) from error
    return config


def _field(loc: tuple[int | str, ...], raw: Any) -> str:
    """`sinks.hook.url` from pydantic's location, without the union's tag."""
    text, node = "", raw
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("type") == part:
            continue  # the discriminator's tag, not a field of the file
        if part == "[key]":
            continue  # pydantic's marker for a bad key: the key itself is the field
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        node = _child(node, part)
    return text


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None
