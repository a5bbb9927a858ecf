"""Which sinks reach which role, built from config/notifications.yaml."""
# SinkResult is re-exported: callers of Router.deliver read it from here.

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ivig_workflow.domain.course.effects import Role
from ivig_workflow.domain.errors import InputError
from ivig_workflow.notify.message import OutgoingMessage, refuse_person_names
from ivig_workflow.notify.routes_config import (
    AppriseSettings,
    JsonlSettings,
    NotificationsConfig,
    SinkSettings,
    SmtpSettings,
    WebhookSettings,
    check_references,
    load_notifications,
)
from ivig_workflow.notify.sinks import DeliveryError, Sink, SinkResult
from ivig_workflow.settings import state_dir


class Router:
    def __init__(self, routes: Mapping[Role, Sequence[str]], sinks: Mapping[str, Sink]) -> None:
        for role in Role:
            for name in routes.get(role, ()):
                if name not in sinks:
                    raise InputError(f"routes.{role.value}", f"unknown sink {name!r}")
        self.routes = {role: list(names) for role, names in routes.items()}
        self.sinks = dict(sinks)

    @classmethod
    def from_config(
        cls,
        config: NotificationsConfig,
        environ: Mapping[str, str] | None = None,
        state_folder: Path | None = None,
    ) -> Router:
        # Secrets are read once, here, so a missing one stops start-up rather than
        # turning every delivery into a dead letter.
        check_references(config)
        env = os.environ if environ is None else environ
        folder = state_dir() if state_folder is None else state_folder
        sinks: dict[str, Sink] = {}
        for name, settings in config.sinks.items():
            try:
                sinks[name] = build_sink(settings, env, folder)
            except InputError as error:
                raise InputError(f"sinks.{name}.{error.field}", error.rule) from error
        return cls(config.routes, sinks)

    @classmethod
    def load(cls, path: Path | None = None) -> Router:
        return cls.from_config(load_notifications(path))

    def deliver(self, message: OutgoingMessage) -> list[SinkResult]:
        """Try every sink of the message's role; one failing does not stop the others."""
        refuse_person_names(message)
        results: list[SinkResult] = []
        for name in self.routes.get(message.role, []):
            try:
                self.sinks[name].deliver(message)
            except DeliveryError as error:
                results.append(SinkResult(name, False, error.retryable, error.reason))
            else:
                results.append(SinkResult(name, True))
        return results


def build_sink(settings: SinkSettings, env: Mapping[str, str], folder: Path) -> Sink:
    from ivig_workflow.notify.sinks.apprise import AppriseSink
    from ivig_workflow.notify.sinks.jsonl import JsonlSink
    from ivig_workflow.notify.sinks.smtp import SmtpSink
    from ivig_workflow.notify.sinks.webhook import WebhookSink

    match settings:
        case JsonlSettings():
            return JsonlSink(folder / settings.path, idempotent=settings.idempotent)
        case WebhookSettings():
            secret = _secret(env, "secret_env", settings.secret_env)
            return WebhookSink(settings.url, secret or "", timeout_s=settings.timeout_seconds)
        case SmtpSettings():
            return SmtpSink(
                settings.host,
                settings.port,
                settings.from_address,
                settings.to,
                starttls=settings.starttls,
                username=_secret(env, "username_env", settings.username_env),
                password=_secret(env, "password_env", settings.password_env),
                timeout_s=settings.timeout_seconds,
            )
        case AppriseSettings():
            url = settings.url or _secret(env, "url_env", settings.url_env)
            return AppriseSink(url or "")


def _secret(env: Mapping[str, str], field: str, variable: str | None) -> str | None:
    if variable is None:
        return None
    value = env.get(variable)
    if not value:
        raise InputError(field, f"environment variable {variable} is not set")
    return value
