"""Who may open the dashboard: Prefect's own basic auth whenever it listens beyond loopback.

Prefect's server checks `PREFECT_SERVER_API_AUTH_STRING` (`user:password`) on every API
call, and its UI asks for it on first load; clients (our clock's flow runs, the event
relay) send it from `PREFECT_API_AUTH_STRING`. On loopback only this machine's users
reach the dashboard, as before. Beyond it the credentials are `IVIG_DASHBOARD_AUTH`
when set, else generated once into `<state>/prefect/dashboard-auth` (owner-only), and
printed on the terminal that time only: never logged, never in the server's log.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from ivig_workflow import settings
from ivig_workflow.domain.errors import InputError

AUTH_VARIABLE = "IVIG_DASHBOARD_AUTH"
USER = "ivig"


def IVIG_DASHBOARD_AUTH() -> str | None:
    """`user:password` for the dashboard, or None when not set."""
    secret = settings.get_settings().dashboard_auth
    value = secret.get_secret_value().strip() if secret is not None else ""
    if not value:
        return None
    user, colon, password = value.partition(":")
    if not colon or not user or len(password) < 12:
        raise InputError(AUTH_VARIABLE, "must be user:password, the password 12 characters or more")
    return value


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere: treat it as reachable


def dashboard_credentials(host: str, home: Path, say: Callable[[str], None]) -> str | None:
    """The auth string the dashboard server must demand, or None on loopback without one."""
    given = IVIG_DASHBOARD_AUTH()
    if given is not None:
        return given
    if is_loopback(host):
        return None
    path = home / "dashboard-auth"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    credentials = f"{USER}:{secrets.token_urlsafe(24)}"
    # Created owner-only from the first byte, never readable by others even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(credentials + "\n")
    say(f"dashboard login, shown this once (kept in {path}): {credentials}")
    return credentials
