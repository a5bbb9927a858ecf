"""Where things live: the config folder, the state folder and the database.

Read from the environment on each call so that tests and `ivig serve` can point a
process elsewhere without import-time side effects.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def config_dir() -> Path:
    return Path(os.environ.get("IVIG_CONFIG_DIR", REPO_ROOT / "config"))


def state_dir() -> Path:
    return Path(os.environ.get("IVIG_STATE_DIR", REPO_ROOT / "state"))


def database_url() -> str:
    url = os.environ.get("IVIG_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{state_dir() / 'ivig.sqlite3'}"


def api_public_docs() -> bool:
    """IVIG_API_PUBLIC_DOCS=1 serves /openapi.json and /docs without a token."""
    return os.environ.get("IVIG_API_PUBLIC_DOCS", "").strip().lower() in ("1", "true", "yes")
