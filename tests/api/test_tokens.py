"""Tokens: `ivig token create` prints one once and stores only its hash; the environment and
a secrets file name others; the sender is the token's name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from ivig_workflow.api.tokens import TokenStore, configured_tokens
from ivig_workflow.cli.main import app
from ivig_workflow.db.tables import ApiTokenRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.unit_of_work import reading


def test_token_create_prints_it_once_and_stores_only_its_hash(
    engine: Engine, database_url: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["token", "create", "lab-gateway", "--url", database_url, "--json"])
    assert result.exit_code == 0, result.output
    token = json.loads(result.output)["token"]
    with reading(engine) as session:
        [row] = session.scalars(select(ApiTokenRow)).all()
    assert row.name == "lab-gateway" and row.hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.hash
    store = TokenStore(engine, configured={})
    assert store.sender(token) == "lab-gateway" and store.sender(token + "x") is None
    again = runner.invoke(app, ["token", "create", "lab-gateway", "--url", database_url])
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert (
        runner.invoke(app, ["token", "revoke", "lab-gateway", "--url", database_url]).exit_code == 0
    )
    assert store.sender(token) is None


def test_tokens_from_the_environment_and_a_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "tokens"
    secrets.write_text("# one name:token a line\npharmacy:ph-secret\n")
    environ = {
        "IVIG_API_TOKENS": "ward-a:a-secret, ward-b:b-secret",
        "IVIG_API_TOKENS_FILE": str(secrets),
    }
    store = TokenStore(None, configured_tokens(environ))
    assert [store.sender(t) for t in ("a-secret", "b-secret", "ph-secret", "nope")] == [
        "ward-a",
        "ward-b",
        "pharmacy",
        None,
    ]


@pytest.mark.parametrize("value", ["no-colon", ":token", "name:"])
def test_a_malformed_token_entry_names_the_variable(value: str) -> None:
    with pytest.raises(InputError, match="IVIG_API_TOKENS: each entry must be name:token"):
        configured_tokens({"IVIG_API_TOKENS": value})
