"""Bearer tokens, one per sending system; the token's name is the sender and actor, its
scope (role, centres) what it may do, its expiry how long.

Only SHA-256 hashes are compared (each with `hmac.compare_digest`, over every known
token, so the time taken says nothing about which one nearly matched). Tokens come
from the database (`ivig token create`, `rotate`, `revoke`, each audited in
`api_token_audit`), from `IVIG_API_TOKENS` (`name:token[:role[:centre+centre]]`, comma
separated) or from the file named by `IVIG_API_TOKENS_FILE` (one such entry a line);
never from the repository. A configured token without a role is admin for every centre,
as before scopes existed, and a warning says so once at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ivig_workflow import settings
from ivig_workflow.api.scopes import (
    ALL_CENTRES,
    Principal,
    Role,
    centre_set,
    parse_role,
)
from ivig_workflow.db.tables import REF, ApiTokenAuditRow, ApiTokenRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import UnitOfWork, reading

TOKENS_VARIABLE = "IVIG_API_TOKENS"
TOKENS_FILE_VARIABLE = "IVIG_API_TOKENS_FILE"
DEFAULT_EXPIRY = timedelta(days=90)
DEFAULT_GRACE = timedelta(hours=24)
log = logging.getLogger("ivig.tokens")
T = TypeVar("T")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConfiguredToken:
    hash: str
    role: Role = "admin"
    centres: frozenset[str] | None = None
    scoped: bool = False  # False: written without a role, admin for all by default


def _entry(item: str, source: str) -> tuple[str, str, ConfiguredToken]:
    parts = [part.strip() for part in item.split(":")]
    if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
        raise InputError(source, "each entry must be name:token[:role[:centre+centre]]")
    name, token = parts[0], parts[1]
    if len(parts) == 2:
        return name, token, ConfiguredToken(token_hash(token))
    role = parse_role(parts[2], f"{source} ({name})")
    centres = centre_set(parts[3].split("+")) if len(parts) == 4 else None
    return name, token, ConfiguredToken(token_hash(token), role, centres, scoped=True)


def _entries(text: str, source: str) -> dict[str, ConfiguredToken]:
    found: dict[str, ConfiguredToken] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        name, _, configured = _entry(item, source)
        found[name] = configured
    return found


def configured_tokens(environ: Mapping[str, str] | None = None) -> dict[str, ConfiguredToken]:
    """name -> hash and scope, from the environment and the secrets file."""
    given = settings.get_settings() if environ is None else settings.settings_from(environ)
    plain = given.api_tokens.get_secret_value() if given.api_tokens else ""
    found = _entries(plain, TOKENS_VARIABLE)
    path = given.api_tokens_file
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            rule = f"cannot read {path}: {error.strerror}"
            raise InputError(TOKENS_FILE_VARIABLE, rule) from None
        found.update(_entries(text, TOKENS_FILE_VARIABLE))
    return found


class TokenStore:
    """Answers who a presented token belongs to and what it may do, or None."""

    def __init__(
        self, engine: Engine | None, configured: Mapping[str, ConfiguredToken] | None = None
    ) -> None:
        self._engine = engine
        self._configured = dict(configured_tokens() if configured is None else configured)
        unscoped = sorted(name for name, c in self._configured.items() if not c.scoped)
        if unscoped:
            log.warning(
                "configured tokens without a scope are admin for every centre: %s; "
                "write name:token:role:centre+centre",
                ", ".join(unscoped),
            )

    @classmethod
    def from_plain(cls, engine: Engine | None, tokens: Mapping[str, str]) -> TokenStore:
        """name -> `token` (admin, every centre) or `token:role[:centre+centre]`."""
        entries = (_entry(f"{name}:{value}", "tokens") for name, value in tokens.items())
        return cls(engine, {name: configured for name, _, configured in entries})

    def configured_principal(self, token: str) -> Principal | None:
        presented = token_hash(token)
        found = _match(presented, ((n, c.hash, c) for n, c in self._configured.items()))
        if found is None:
            return None
        name, configured = found
        return Principal(name, configured.role, configured.centres)

    def principal(self, token: str, now: datetime) -> Principal | None:
        configured = self.configured_principal(token)
        if configured is not None or self._engine is None:
            # A configured token needs no database read: a ward posting hundreds of
            # events a minute should not cost a query each just to say who it is.
            return configured
        presented = token_hash(token)
        with reading(self._engine) as session:
            rows = session.scalars(
                select(ApiTokenRow).where(col(ApiTokenRow.revoked_at).is_(None))
            ).all()
        candidates: list[tuple[str, str, ApiTokenRow]] = []
        for row in rows:
            if row.expires_at is None or row.expires_at > now:
                candidates.append((row.name, row.hash, row))
            if row.previous_hash and row.previous_valid_until and row.previous_valid_until > now:
                candidates.append((row.name, row.previous_hash, row))
        found = _match(presented, candidates)
        if found is None:
            return None
        row = found[1]
        return Principal(row.name, parse_role(row.role), centre_set(row.centres))

    def sender(self, token: str, now: datetime | None = None) -> str | None:
        found = self.principal(token, now or datetime.now().astimezone())
        return None if found is None else found.name


def _match(presented: str, candidates: Iterable[tuple[str, str, T]]) -> tuple[str, T] | None:
    found = None
    for name, stored, item in candidates:  # every one compared: no early exit to time
        if hmac.compare_digest(presented, stored) and found is None:
            found = (name, item)
    return found


_DURATION = re.compile(r"^(\d{1,5})([hdw])$")


def parse_expiry(text: str, role: Role, now: datetime) -> datetime | None:
    """`90d`, `12h`, `8w`, or `never` (admin tokens only: a ward system's token should
    be replaced now and then, an operator's break-glass token need not)."""
    if text == "never":
        if role != "admin":
            raise InputError("expires", "'never' is for admin tokens only; give e.g. 90d")
        return None
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise InputError("expires", f"must be like 90d, 12h, 8w or never, not {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return (
        now
        + {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[
            unit
        ]
    )


def _audit(
    uow: UnitOfWork, name: str, action: str, now: datetime, by: str, detail: dict[str, Any]
) -> None:
    uow.session.add(ApiTokenAuditRow(name=name, action=action, at=now, by=by, detail=detail))
    log.info("token %s %s by %s: %s", name, action, by, detail)


def _scope(row: ApiTokenRow) -> dict[str, Any]:
    return {
        "role": row.role,
        "centres": row.centres,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


def create_token(
    engine: Engine,
    name: str,
    *,
    now: datetime,
    role: Role = "ward",
    centres: Iterable[str] = (ALL_CENTRES,),
    expires_at: datetime | None = None,
    by: str = "unknown",
) -> str:
    """A new random token for `name`; only its hash is stored, so show it once."""
    if not name or len(name) > REF or not name.replace("-", "").replace("_", "").isalnum():
        raise InputError("name", f"1..{REF} letters, digits, '-' or '_'")
    chosen = sorted({c.strip() for c in centres if c.strip()}) or [ALL_CENTRES]
    token = secrets.token_urlsafe(32)
    row = ApiTokenRow(
        name=name,
        hash=token_hash(token),
        created_at=now,
        role=role,
        centres=[ALL_CENTRES] if ALL_CENTRES in chosen else chosen,
        expires_at=expires_at,
    )
    try:
        with UnitOfWork(engine) as uow:
            uow.session.add(row)
            _audit(uow, name, "created", now, by, _scope(row))
            uow.commit()
    except IntegrityError:
        raise InputError("name", f"a token named {name!r} exists already") from None
    return token


def _active(uow: UnitOfWork, name: str) -> ApiTokenRow:
    row = uow.session.scalar(select(ApiTokenRow).where(col(ApiTokenRow.name) == name))
    if row is None or row.revoked_at is not None:
        raise InputError("name", f"no active token named {name!r}")
    return row


def rotate_token(
    engine: Engine,
    name: str,
    *,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    expires_at: datetime | None = None,
    by: str = "unknown",
) -> str:
    """A new secret for `name`, same scope; the old one works for `grace` more (zero:
    not at all). Its expiry starts again (`expires_at`)."""
    token = secrets.token_urlsafe(32)
    with UnitOfWork(engine) as uow:
        row = _active(uow, name)
        row.previous_hash = row.hash if grace > timedelta(0) else None
        row.previous_valid_until = now + grace if grace > timedelta(0) else None
        row.hash, row.expires_at = token_hash(token), expires_at
        uow.session.add(row)
        _audit(
            uow,
            name,
            "rotated",
            now,
            by,
            {**_scope(row), "old_valid_until": (now + grace).isoformat()},
        )
        uow.commit()
    return token


def revoke_token(engine: Engine, name: str, *, now: datetime, by: str = "unknown") -> None:
    with UnitOfWork(engine) as uow:
        row = _active(uow, name)
        row.revoked_at, row.previous_hash, row.previous_valid_until = now, None, None
        uow.session.add(row)
        _audit(uow, name, "revoked", now, by, _scope(row))
        uow.commit()


def token_rows(engine: Engine) -> list[ApiTokenRow]:
    with reading(engine) as session:
        return list(session.scalars(select(ApiTokenRow).order_by(col(ApiTokenRow.name))).all())
