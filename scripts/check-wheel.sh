#!/usr/bin/env bash
# The built wheel runs outside a clone: build it, install it with the locked
# dependencies into a fresh virtual environment in a temporary folder, and from there
# list the guideline, migrate a temporary SQLite database and start a course. Any
# failing step fails the script (CI calls it from .ci/run).
#
# Needs uv (`make venv` bootstraps it into .tools/) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
uv=${UV:-$checkout/.tools/bin/uv}
python=${PYTHON:-python3}
[[ -x "$uv" ]] || { echo "check-wheel: $uv missing: run make venv first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { echo "check-wheel: $*"; }

step "building the wheel"
"$uv" build --quiet --wheel --out-dir "$work/dist" "$checkout"
wheel=$(ls "$work"/dist/*.whl)
# The wheel must carry the default config and the schema history, and no bytecode.
"$python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
needed = [
    "ivig_workflow/_data/config/guideline/edf-eadv-ivig-dermatology.txt",
    "ivig_workflow/_data/config/schedules.yaml",
    "ivig_workflow/_data/migrations/env.py",
]
missing = [n for n in needed if n not in names]
missing += [] if any(n.startswith("ivig_workflow/_data/migrations/versions/") for n in names) else ["migrations/versions/*"]
stray = [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
if missing or stray:
    sys.exit(f"check-wheel: wheel lacks {missing} or carries {stray}")
print(f"check-wheel: {len(names)} files in {sys.argv[1].rsplit('/', 1)[-1]}")
PY

step "installing it with the locked dependencies into $work/venv"
(cd "$checkout" && "$uv" export --quiet --frozen --no-dev --no-hashes --no-emit-project \
    -o "$work/constraints.txt")
"$python" -m venv "$work/venv"
"$uv" pip install --quiet --python "$work/venv/bin/python" -c "$work/constraints.txt" "$wheel"

cd "$work"
unset IVIG_CONFIG_DIR IVIG_SCHEDULES_FILE IVIG_API_TOKENS IVIG_API_TOKENS_FILE
export IVIG_STATE_DIR="$work/state"
export IVIG_DATABASE_URL="sqlite:///$work/state/ivig.sqlite3"
ivig=$work/venv/bin/ivig

# The code, the config and the migrations must all come from the installed wheel.
"$work/venv/bin/python" - "$work/venv/" <<'PY'
import sys
import ivig_workflow
from ivig_workflow import settings
found = [ivig_workflow.__file__, settings.config_dir(), settings.migrations_dir()]
outside = [str(path) for path in found if not str(path).startswith(sys.argv[1])]
if outside:
    sys.exit(f"check-wheel: not from the installed wheel: {outside}")
print(f"check-wheel: config from {settings.config_dir()}")
PY

step "ivig guideline list --json"
"$ivig" guideline list --json > guideline.json
"$work/venv/bin/python" -c '
import json, sys
indications = json.load(open("guideline.json"))
assert len(indications) > 0, "no indications"
print(f"check-wheel: {len(indications)} indications from the packaged config")'

step "ivig db upgrade"
"$ivig" db upgrade

step "ivig course start"
"$ivig" course start --patient PSN-0001 --indication dermatomyositis --weight-kg 72 \
    --start-date 2026-12-07 --json > started.json
course=$("$work/venv/bin/python" -c 'import json; print(json.load(open("started.json"))["course_id"])')
"$ivig" course show "$course" --json > shown.json
"$work/venv/bin/python" -c '
import json
course = json.load(open("shown.json"))
assert course["state"] == "initiation", course["state"]
print("check-wheel: course", course["course_id"], "is in", course["state"])'
[[ -f "$work/state/ivig.sqlite3" ]] || { echo "check-wheel: no database in $work/state" >&2; exit 1; }
step "ok"
