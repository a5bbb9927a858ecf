"""Bearer tokens, one per sending system; the token's name is the sender and actor.

Only SHA-256 hashes are compared (each with `hmac.compare_digest`, over every known
token, so the time taken says nothing about which one nearly matched). Tokens come
from the database (`ivig token create`), from `IVIG_API_TOKENS` (`name:token,...`) or
from the file named by `IVIG_API_TOKENS_FILE` (one `name:token` a line); never from the
repository.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ivig_workflow import settings
from ivig_workflow.db.tables import REF, ApiTokenRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import UnitOfWork, reading

TOKENS_VARIABLE = "IVIG_API_TOKENS"
TOKENS_FILE_VARIABLE = "IVIG_API_TOKENS_FILE"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _pairs(text: str, source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        name, colon, token = item.partition(":")
        if not colon or not name.strip() or not token.strip():
            raise InputError(source, "each entry must be name:token")
        found[name.strip()] = token.strip()
    return found


def configured_tokens(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """name -> hash from the environment and the secrets file."""
    given = settings.get_settings() if environ is None else settings.settings_from(environ)
    plain = _pairs(given.api_tokens.get_secret_value() if given.api_tokens else "", TOKENS_VARIABLE)
    path = given.api_tokens_file
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            rule = f"cannot read {path}: {error.strerror}"
            raise InputError(TOKENS_FILE_VARIABLE, rule) from None
        plain.update(_pairs(text, TOKENS_FILE_VARIABLE))
    return {name: token_hash(token) for name, token in plain.items()}


class TokenStore:
    """Answers which sender a presented token belongs to, or None."""

    def __init__(self, engine: Engine | None, configured: Mapping[str, str] | None = None) -> None:
        self._engine = engine
        self._configured = dict(configured_tokens() if configured is None else configured)

    @classmethod
    def from_plain(cls, engine: Engine | None, tokens: Mapping[str, str]) -> TokenStore:
        return cls(engine, {name: token_hash(token) for name, token in tokens.items()})

    def configured_sender(self, token: str) -> str | None:
        return _match(token_hash(token), self._configured.items())

    def sender(self, token: str) -> str | None:
        presented = token_hash(token)
        found = _match(presented, self._configured.items())
        if found is not None or self._engine is None:
            # A configured token needs no database read: a ward posting hundreds of
            # events a minute should not cost a query each just to say who it is.
            return found
        with reading(self._engine) as session:
            rows = session.scalars(
                select(ApiTokenRow).where(col(ApiTokenRow.revoked_at).is_(None))
            ).all()
        return _match(presented, [(row.name, row.hash) for row in rows])


def _match(presented: str, candidates: Iterable[tuple[str, str]]) -> str | None:
    found = None
    for name, stored in candidates:
        if hmac.compare_digest(presented, stored) and found is None:
            found = name
    return found


def create_token(engine: Engine, name: str, *, now: datetime) -> str:
    """A new random token for `name`; only its hash is stored, so show it once."""
    if not name or len(name) > REF or not name.replace("-", "").replace("_", "").isalnum():
        raise InputError("name", f"1..{REF} letters, digits, '-' or '_'")
    token = secrets.token_urlsafe(32)
    try:
        with UnitOfWork(engine) as uow:
            uow.session.add(ApiTokenRow(name=name, hash=token_hash(token), created_at=now))
            uow.commit()
    except IntegrityError:
        raise InputError("name", f"a token named {name!r} exists already") from None
    return token


def revoke_token(engine: Engine, name: str, *, now: datetime) -> None:
    with UnitOfWork(engine) as uow:
        row = uow.session.scalar(select(ApiTokenRow).where(col(ApiTokenRow.name) == name))
        if row is None or row.revoked_at is not None:
            raise InputError("name", f"no active token named {name!r}")
        row.revoked_at = now
        uow.session.add(row)
        uow.commit()
