#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server, exported as
# IVIG_TEST_POSTGRES_URL, and return the command's exit code:
#
#   scripts/with-postgres.sh .venv/bin/pytest tests/integration -q
#
# The server lives in a fresh temporary folder, listens on 127.0.0.1 only, runs
# without fsync (its data is thrown away) and is stopped and removed on exit.
# - IVIG_TEST_POSTGRES_URL already set: just run the command against that server.
# - no server binaries: IVIG_REQUIRE_POSTGRES=1 fails; otherwise the command runs
#   without PostgreSQL (its tests are skipped, and say why).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 64
fi

if [[ -n "${IVIG_TEST_POSTGRES_URL:-}" ]]; then
    exec "$@"
fi

bindir=""
for candidate in ${IVIG_POSTGRES_BINDIR:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
        bindir="$candidate"
        break
    fi
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    bindir="$(dirname "$(command -v initdb)")"
fi
if [[ -z "$bindir" ]]; then
    if [[ "${IVIG_REQUIRE_POSTGRES:-}" == "1" ]]; then
        echo "with-postgres: no PostgreSQL server binaries found and IVIG_REQUIRE_POSTGRES=1" >&2
        exit 1
    fi
    echo "with-postgres: no PostgreSQL server binaries found; running without PostgreSQL" >&2
    exec "$@"
fi

# initdb and the server refuse to run as root: run them as the postgres user then.
as_owner=()
if [[ "$(id -u)" == "0" ]]; then
    if command -v runuser >/dev/null; then
        as_owner=(runuser -u postgres --)
    else
        as_owner=(su postgres -s /bin/sh -c '"$0" "$@"')
    fi
fi

folder="$(mktemp -d "${TMPDIR:-/tmp}/ivig-postgres.XXXXXX")"
chmod 755 "$folder"
[[ ${#as_owner[@]} -gt 0 ]] && chown postgres: "$folder"
data="$folder/data"

cleanup() {
    if [[ -f "$data/postmaster.pid" ]]; then
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$folder"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

"${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --no-sync \
    --encoding=UTF8 --locale=C >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }

options="-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=off"
options+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -o "$options" -l "$folder/server.log" -w -t 30 start \
    >/dev/null || { cat "$folder/server.log" >&2; exit 1; }

"${as_owner[@]}" "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q \
    -v ON_ERROR_STOP=1 -c "CREATE DATABASE ivig_test" >/dev/null

export IVIG_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/ivig_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
