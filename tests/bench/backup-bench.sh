#!/usr/bin/env bash
# Backup benchmark: builds a ~1 GB database in a throwaway PostgreSQL cluster, then times, on
# that same database and in the same run,
#   1. a bare `pg_dump -Fc`,
#   2. the serial "old way" (`pg_dump -Fc`, then `pg_dump -Fp`, then `psql \copy` of every
#      table to CSV), timed as one command,
#   3. `lifeboat-cli backup` (every component),
# and, only when `lifeboat-cli restore --help` exits 0, a full restore of Lifeboat's backup into
# a new database and a restore of one small table from it.
# Prints wall time, CPU, peak RSS and output size of each, and the ratios against the targets.
# These are figures, not a test: exits 0 when every run succeeded, whatever the ratios.
#
#   tests/bench/backup-bench.sh [--scale N] [--rounds N] [--keep] [path/to/lifeboat-cli]
#
# The CLI is the argument, else $LIFEBOAT_CLI, else build/app/lifeboat-cli. See README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: tests/bench/backup-bench.sh [--scale N] [--rounds N] [--keep] [path/to/lifeboat-cli]

  --scale N   pgbench scale (default 50, about 1 GB in all). The jsonb and bytea tables
              grow with it (N/50 of their full size); the 30 small tables do not.
              --scale 2 is a quick smoke run.
  --rounds N  time the three backups N times (default 3), each round in a different order;
              the figures are the medians, the ratios the median of each round's ratio.
  --keep      leave the cluster running and the outputs in place; prints how to reach them.
  -h, --help  this text

The lifeboat-cli binary: the argument, else $LIFEBOAT_CLI, else build/app/lifeboat-cli.
The work folder (cluster + outputs, a few GB at scale 50) goes under $TMPDIR (default /tmp);
as root it must be reachable by the postgres user.
EOF
}

SCALE=50
ROUNDS=3
KEEP=0
CLI_ARG=
while [ $# -gt 0 ]; do
    case $1 in
        --scale) [ $# -ge 2 ] || { usage >&2; exit 2; }; SCALE=$2; shift 2 ;;
        --scale=*) SCALE=${1#--scale=}; shift ;;
        --rounds) [ $# -ge 2 ] || { usage >&2; exit 2; }; ROUNDS=$2; shift 2 ;;
        --rounds=*) ROUNDS=${1#--rounds=}; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "backup-bench: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$CLI_ARG" ] || { echo "backup-bench: one lifeboat-cli path only" >&2; exit 2; }
           CLI_ARG=$1; shift ;;
    esac
done
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || { echo "backup-bench: --scale needs a positive integer, got '$SCALE'" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "backup-bench: --rounds needs a positive integer, got '$ROUNDS'" >&2; exit 2; }

# Decimal points in printf/awk whatever the user's locale.
unset LC_ALL
export LC_NUMERIC=C

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT_REL=tests/bench/backup-bench.sh

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'backup-bench: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
# calc EXPR: evaluate a floating-point expression with awk
calc() { awk "BEGIN { printf \"%s\", $1 }" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# The binary under test. Checked before anything is built: the build takes minutes.
CLI=${CLI_ARG:-${LIFEBOAT_CLI:-$REPO_ROOT/build/app/lifeboat-cli}}
case $CLI in /*) ;; */*) CLI=$(cd "$(dirname "$CLI")" 2>/dev/null && pwd)/$(basename "$CLI") ;; esac
BUILD_HINT="build first: scripts/test.sh or cmake --build build"
if [ ! -f "$CLI" ] || [ ! -x "$CLI" ]; then
    die "no lifeboat-cli at $CLI; $BUILD_HINT (or pass its path / set LIFEBOAT_CLI)"
fi
if ! "$CLI" backup --help >/dev/null 2>&1 </dev/null; then
    die "$CLI has no working 'backup' command ('lifeboat-cli backup --help' did not exit 0); $BUILD_HINT"
fi
HAS_RESTORE=0
"$CLI" restore --help >/dev/null 2>&1 </dev/null && HAS_RESTORE=1

# PostgreSQL binaries: $LIFEBOAT_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin.
# shellcheck disable=SC2012 # the paths are /usr/lib/postgresql/NN/bin
PGBIN=${LIFEBOAT_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
for tool in initdb pg_ctl pgbench pg_dump psql; do
    [ -x "$PGBIN/$tool" ] || die "no $tool in '$PGBIN' (install postgresql-15, or set LIFEBOAT_PG_BINDIR)"
done

# GNU time (not the shell keyword): wall, user, sys and max RSS of a command.
GNU_TIME=/usr/bin/time
if [ ! -x "$GNU_TIME" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "Installing GNU time"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null \
            || die "apt-get install time failed"
    fi
    [ -x "$GNU_TIME" ] || die "GNU time (/usr/bin/time) is missing: apt-get install time"
fi
CLK_TCK=$(getconf CLK_TCK)

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
# server_tool CMD...: initdb and pg_ctl refuse to run as root; run them as postgres then.
server_tool() {
    if [ "$IS_ROOT" -eq 1 ]; then
        (cd "$WORK" && runuser -u postgres -- "$@")
    else
        (cd "$WORK" && "$@")
    fi
}

# ---------------------------------------------------------------------------------------------
# Work folder, cleanup (EXIT, Ctrl-C, TERM) and a watchdog that stops the cluster if this script
# is killed outright.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-pg-bench-XXXXXX")
case $WORK in *[\'\"\ ]*) rmdir "$WORK"; die "the work folder path must not hold quotes or spaces: $WORK" ;; esac
DATA=$WORK/data
OUT=$WORK/out
CLUSTER_UP=0
BG_PID=
WATCHDOG_PID=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$BG_PID" ] && kill -0 "$BG_PID" 2>/dev/null; then
        # background jobs ignore Ctrl-C: stop the measured command (GNU time's child), then GNU time
        pkill -TERM -P "$BG_PID" 2>/dev/null || true
        kill "$BG_PID" 2>/dev/null || true
        wait "$BG_PID" 2>/dev/null || true
    fi
    if [ "$KEEP" -eq 1 ] && [ "$CLUSTER_UP" -eq 1 ]; then
        [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
        echo
        echo "Kept (--keep): cluster running on 127.0.0.1:$PORT, work folder $WORK"
        echo "  connect: PGPASSFILE=$PGPASSFILE $PGBIN/psql 'postgresql://postgres@127.0.0.1:$PORT/bench'"
        if [ "$IS_ROOT" -eq 1 ]; then
            echo "  stop:    (cd /tmp && runuser -u postgres -- $PGBIN/pg_ctl -D $DATA stop) && rm -rf $WORK"
        else
            echo "  stop:    $PGBIN/pg_ctl -D $DATA stop && rm -rf $WORK"
        fi
        echo "  (scripts/test.sh stops stray clusters in /tmp/lifeboat-pg-*, this one included)"
        exit "$rc"
    fi
    if [ "$CLUSTER_UP" -eq 1 ]; then
        server_tool "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
    [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

chmod 700 "$WORK"
if [ "$IS_ROOT" -eq 1 ]; then
    chown postgres: "$WORK" || die "cannot hand $WORK to the postgres user (is postgresql installed?)"
    runuser -u postgres -- test -w "$WORK" \
        || die "the postgres user cannot write $WORK; set TMPDIR to a folder it can reach (not under /root)"
fi
mkdir -p "$OUT"
mkfifo "$WORK/tick"
exec {TICK_FD}<>"$WORK/tick" # read -t on it is a fork-free sleep for the sampler

# ---------------------------------------------------------------------------------------------
# Cluster: scram-sha-256, random password in a 0600 PGPASSFILE (never on a command line).
PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
PWFILE=$WORK/pwfile
( umask 077; printf '%s\n' "$PASSWORD" >"$PWFILE" )
[ "$IS_ROOT" -eq 1 ] && chown postgres: "$PWFILE"
export PGPASSFILE=$WORK/pgpass
( umask 077; printf '127.0.0.1:*:*:postgres:%s\n' "$PASSWORD" >"$PGPASSFILE" )
unset PASSWORD PGPASSWORD PGSERVICE PGSERVICEFILE PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSSLMODE
export PGCONNECT_TIMEOUT=10

say "Starting a throwaway PostgreSQL in $WORK"
server_tool "$PGBIN/initdb" -D "$DATA" -U postgres --pwfile="$PWFILE" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 -N >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
rm -f "$PWFILE"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=
for _ in 1 2 3 4 5; do
    while :; do
        PORT=$((20000 + RANDOM % 40000))
        [ "$PORT" -ne 54322 ] && ! port_in_use "$PORT" && break
    done
    # shared_buffers and everything else stay at the defaults.
    if server_tool "$PGBIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
        -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
        CLUSTER_UP=1
        break
    fi
done
[ "$CLUSTER_UP" -eq 1 ] || { tail -n 30 "$WORK/server.log" >&2; die "pg_ctl start failed"; }
PM_PID=$(head -n 1 "$DATA/postmaster.pid")
if [ "$KEEP" -eq 0 ]; then
    stop_cmd="'$PGBIN/pg_ctl' -D '$DATA' -m immediate stop"
    [ "$IS_ROOT" -eq 1 ] && stop_cmd="runuser -u postgres -- $stop_cmd"
    setsid sh -c "cd /; while kill -0 $$ 2>/dev/null; do sleep 1; done; if [ -d '$WORK' ]; then $stop_cmd >/dev/null 2>&1; rm -rf '$WORK'; fi" \
        </dev/null >/dev/null 2>&1 &
    WATCHDOG_PID=$!
fi

SERVER_DSN="postgresql://postgres@127.0.0.1:$PORT/postgres"
DSN="postgresql://postgres@127.0.0.1:$PORT/bench"
psql_q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_q -d "$SERVER_DSN" -c 'CREATE DATABASE bench' >/dev/null
# fsync off while the database is built (much faster); reset to on before anything is measured.
# Set with ALTER SYSTEM, not on the command line, so that a reload can undo it.
psql_q -d "$SERVER_DSN" -c 'ALTER SYSTEM SET fsync = off' -c 'SELECT pg_reload_conf()' >/dev/null

# ---------------------------------------------------------------------------------------------
# The database: pgbench -i -s SCALE, docs (jsonb), blobs (bytea), small_01..small_30.
JSON_ROWS=$(( 140000 * SCALE / 50 )); [ "$JSON_ROWS" -ge 1000 ] || JSON_ROWS=1000
BYTEA_ROWS=$(( 22000 * SCALE / 50 )); [ "$BYTEA_ROWS" -ge 200 ] || BYTEA_ROWS=200

say "Building the database (pgbench -i -s $SCALE, $JSON_ROWS jsonb docs, $BYTEA_ROWS bytea rows, 30 small tables)"
BUILD_START=$(now)
# pgbench -i and the other tables are built side by side (two cores).
"$PGBIN/pgbench" -i -q -s "$SCALE" -h 127.0.0.1 -p "$PORT" -U postgres bench >"$WORK/pgbench-init.log" 2>&1 &
BG_PID=$!
psql_q -d "$DSN" -v json_rows="$JSON_ROWS" -v bytea_rows="$BYTEA_ROWS" >"$WORK/build.log" 2>&1 <<'SQL' || { cat "$WORK/build.log" >&2; die "building the extra tables failed"; }
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- ~150 MB of nested jsonb documents (about 1 KB each, below the TOAST threshold).
CREATE TABLE docs (id bigint PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO docs
SELECT i, jsonb_build_object(
    'id', i,
    'kind', (ARRAY['order', 'invoice', 'profile', 'event'])[1 + i % 4],
    'created_at', timestamptz '2024-01-01' + i * interval '17 seconds',
    'customer', jsonb_build_object(
        'name', 'customer ' || (i % 5000),
        'email', 'c' || (i % 5000) || '@example.com',
        'address', jsonb_build_object('street', md5(i::text), 'city', 'City ' || (i % 300),
                                      'zip', lpad((i % 99999)::text, 5, '0'))),
    'items', (SELECT jsonb_agg(jsonb_build_object(
                  'sku', substr(md5(i::text || '-' || j), 1, 12),
                  'qty', 1 + (i + j) % 9,
                  'price', round(((i * j) % 10000) / 100.0, 2),
                  'tags', jsonb_build_array('t' || (j % 7), 't' || (i % 11))))
              FROM generate_series(1, 2 + i % 7) AS j),
    'flags', jsonb_build_object('paid', i % 3 = 0, 'shipped', i % 5 = 0),
    'note', md5(i::text) || md5((i * 7)::text))
FROM generate_series(1, :json_rows) AS i;

-- ~100 MB of incompressible bytes (1 to 8 KB per row, stored out of line).
CREATE TABLE blobs (id bigint PRIMARY KEY, name text NOT NULL, mime text NOT NULL, content bytea NOT NULL);
INSERT INTO blobs
SELECT i, 'file_' || i || '.bin', 'application/octet-stream',
       (SELECT string_agg(gen_random_bytes(1024), ''::bytea) FROM generate_series(0, i % 8) AS k)
FROM generate_series(1, :bytea_rows) AS i;

-- 30 small tables (163 to 540 rows) with varied types; small_21..30 reference small_01..10.
CREATE TYPE item_status AS ENUM ('draft', 'active', 'archived');
DO $$
DECLARE
    i int;
    t text;
BEGIN
    FOR i IN 1..30 LOOP
        t := 'small_' || lpad(i::text, 2, '0');
        EXECUTE format($f$
            CREATE TABLE %I (
                id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                %s
                label text NOT NULL, qty integer, amount numeric(12,2), ratio double precision,
                active boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL DEFAULT now(),
                day date, ref uuid NOT NULL DEFAULT gen_random_uuid(), addr inet, tags text[],
                meta jsonb, status item_status NOT NULL DEFAULT 'draft', dur interval, tiny bytea)$f$,
            t,
            CASE WHEN i > 20 THEN format('parent_id integer REFERENCES %I (id),', 'small_' || lpad((i - 20)::text, 2, '0'))
                 ELSE '' END);
        EXECUTE format($f$
            INSERT INTO %I (%s label, qty, amount, ratio, active, created_at, day, addr, tags, meta, status, dur, tiny)
            SELECT %s 'row ' || g, g * %s, round((g * 1.37)::numeric, 2), g / 7.0, g %% 2 = 0,
                   timestamptz '2024-01-01' + g * interval '1 hour', date '2024-01-01' + g,
                   ('10.0.' || (g %% 256) || '.' || (g %% 250 + 1))::inet, ARRAY['a' || g, 'b' || (g %% 5)],
                   jsonb_build_object('n', g, 's', md5(g::text)),
                   (ARRAY['draft', 'active', 'archived']::item_status[])[1 + g %% 3],
                   g * interval '1 minute', decode(md5(g::text), 'hex')
            FROM generate_series(1, %s) AS g$f$,
            t,
            CASE WHEN i > 20 THEN 'parent_id,' ELSE '' END,
            CASE WHEN i > 20 THEN '1 + g % 150,' ELSE '' END,
            i, 150 + 13 * i);
        EXECUTE format('COMMENT ON TABLE %I IS %L', t, 'small table ' || i);
    END LOOP;
END
$$;
CREATE VIEW docs_by_kind AS SELECT doc ->> 'kind' AS kind, count(*) AS n FROM docs GROUP BY 1;
SQL
wait "$BG_PID" || { BG_PID=; cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
BG_PID=
say "VACUUM ANALYZE and checkpoint"
psql_q -d "$DSN" -c 'VACUUM ANALYZE' >/dev/null
# Measured runs see fsync on (as a real server would); then flush the build out of the page
# cache's dirty list so writeback does not land inside a timed run.
psql_q -d "$DSN" -c 'ALTER SYSTEM RESET fsync' -c 'SELECT pg_reload_conf()' >/dev/null
sleep 1 # the reload is asynchronous
[ "$(psql_q -At -d "$DSN" -c 'SHOW fsync')" = on ] || die "could not turn fsync back on"
psql_q -d "$DSN" -c 'CHECKPOINT' >/dev/null
sync
BUILD_SECONDS=$(calc "$(now) - $BUILD_START")

DB_BYTES=$(psql_q -At -d "$DSN" -c "SELECT pg_database_size('bench')")
SIZES=$(psql_q -At -F ' ' -d "$DSN" <<'SQL'
SELECT CASE WHEN c.relname LIKE 'pgbench\_%' THEN 'pgbench_*'
            WHEN c.relname LIKE 'small\_%' THEN 'small_01..30'
            ELSE c.relname END AS part,
       round(sum(pg_total_relation_size(c.oid)) / 1048576.0, 1) AS mb
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
GROUP BY 1 ORDER BY 2 DESC;
SQL
)
TABLE_COUNT=$(psql_q -At -d "$DSN" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")

# ---------------------------------------------------------------------------------------------
# Measuring. Each run: GNU time around the command (wall %e, user %U + sys %S of the command and
# every child it waited for, max RSS %M of the largest single process among them), plus a
# sampler every 50 ms that records the top process's own VmHWM and the summed VmRSS of its
# process tree, plus the server's CPU (postmaster and every child, including backends that
# exited during the run) from /proc.
server_ticks() {
    local total=0 p line f k kids=()
    for f in /proc/"$PM_PID"/task/*/children; do
        k=()
        read -ra k <"$f" 2>/dev/null || true # no trailing newline: read fails but fills k
        kids+=("${k[@]}")
    done 2>/dev/null
    for p in "$PM_PID" "${kids[@]}"; do
        line=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        # shellcheck disable=SC2086 # split the fields after "(comm) "
        set -- ${line##*) }
        total=$((total + ${12} + ${13} + ${14} + ${15})) # utime stime cutime cstime
    done
    echo "$total"
}
server_children() { cat /proc/"$PM_PID"/task/*/children 2>/dev/null | wc -w; }
BASE_CHILDREN=$(server_children)
wait_server_idle() { # until the backends of the last run have exited and been reaped
    for _ in $(seq 1 100); do
        [ "$(server_children)" -le "$BASE_CHILDREN" ] && return 0
        read -r -t 0.1 -u "$TICK_FD" || true
    done
}

SAMPLE_OWN_HWM=0 SAMPLE_TREE_RSS=0
status_kb() { # $1 = a /proc/<pid>/status text, $2 = a field such as VmRSS; sets KB (0 if absent)
    KB=0
    [[ $1 == *"$2:"* ]] || return 0
    KB=${1#*"$2:"}
    KB=${KB%%kB*}
    KB=${KB//[$' \t']/}
}
sample_tree() { # $1 = root pid
    # Cheap, because it runs beside what it measures and costs more the more threads and
    # children a command has: each status file is read in one go. (Read line by line, bash
    # makes about 300 system calls a file; that cost lifeboat-cli's runs about 0.5 s of CPU.)
    local root=$1 stack=("$1") p s sum=0 kids f
    while [ ${#stack[@]} -gt 0 ]; do
        p=${stack[-1]}
        unset 'stack[-1]'
        {
            s=''
            read -r -d '' s <"/proc/$p/status" || true # -d '': to the end of the file
            if [ "$p" = "$root" ]; then
                status_kb "$s" VmHWM
                [ "$KB" -gt "$SAMPLE_OWN_HWM" ] && SAMPLE_OWN_HWM=$KB
            fi
            status_kb "$s" VmRSS
            sum=$((sum + KB))
            for f in /proc/"$p"/task/*/children; do
                kids=()
                read -ra kids <"$f" || true # no trailing newline: read fails but fills kids
                stack+=("${kids[@]}")
            done
        } 2>/dev/null || true
    done
    [ "$sum" -gt "$SAMPLE_TREE_RSS" ] && SAMPLE_TREE_RSS=$sum
    return 0
}

# measure KEY STDOUT_FILE CMD...: results in R_WALL[KEY] R_CPU[KEY] R_SCPU[KEY] R_MAXRSS[KEY]
# (GNU time, KB) R_OWN[KEY] R_TREE[KEY] (sampled, KB) R_RC[KEY]; stderr in $WORK/KEY.err.
declare -A R_WALL R_CPU R_SCPU R_MAXRSS R_OWN R_TREE R_RC R_SIZE
measure() {
    local key=$1 stdout=$2 tfile=$WORK/$1.time s0 s1 rc=0 cpid='' state line
    shift 2
    sync
    wait_server_idle
    s0=$(server_ticks)
    SAMPLE_OWN_HWM=0 SAMPLE_TREE_RSS=0
    "$GNU_TIME" -o "$tfile" -f '%e %U %S %M' "$@" >"$stdout" 2>"$WORK/$key.err" </dev/null &
    BG_PID=$!
    while :; do
        { read -r line <"/proc/$BG_PID/stat"; } 2>/dev/null || break
        state=${line##*) }
        state=${state%% *}
        [ "$state" = Z ] && break
        if [ -z "$cpid" ]; then
            read -r cpid _ <"/proc/$BG_PID/task/$BG_PID/children" 2>/dev/null || true
        fi
        [ -n "$cpid" ] && sample_tree "$cpid"
        read -r -t 0.05 -u "$TICK_FD" || true
    done
    wait "$BG_PID" || rc=$?
    BG_PID=
    wait_server_idle
    s1=$(server_ticks)
    local wall user sys maxrss
    read -r wall user sys maxrss < <(tail -n 1 "$tfile")
    R_WALL[$key]=$wall
    R_CPU[$key]=$(calc "$user + $sys")
    R_SCPU[$key]=$(calc "($s1 - $s0) / $CLK_TCK")
    R_MAXRSS[$key]=$maxrss
    R_OWN[$key]=$SAMPLE_OWN_HWM
    R_TREE[$key]=$SAMPLE_TREE_RSS
    R_RC[$key]=$rc
    return 0
}
mb() { calc "$1 / 1024"; }
bytes_of() { du -sb "$1" 2>/dev/null | cut -f1; }
show_err() { echo "--- stderr of $1 (last 30 lines) ---" >&2; tail -n 30 "$WORK/$1.err" >&2; }

# Machine and versions
NPROC=$(nproc)
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
PG_SERVER=$(psql_q -At -d "$DSN" -c 'SHOW server_version')
PG_DUMP_VERSION=$("$PGBIN/pg_dump" --version)
CLI_VERSION=$("$CLI" --version 2>/dev/null | tail -n 1 || true)
GIT_REV=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && GIT_REV="$GIT_REV (dirty)"
FS_INFO=$(df -PT "$WORK" | awk 'NR == 2 { print $2 " on " $7 }')
REPRO="$SCRIPT_REL --scale $SCALE --rounds $ROUNDS $CLI"

# How fast each core is, now: the same work (SHA-256 of 128 MB, best of three) pinned to each.
# The ratios below assume equal cores; a virtual machine's may not be (one may share its host
# core with another guest), and then parallel work gains less than the core count says.
core_speeds() {
    command -v taskset >/dev/null || { echo "unknown (no taskset)"; return; }
    local c t best line=
    for c in $(seq 0 $((NPROC - 1))); do
        best=
        for _ in 1 2 3; do
            t=$( { TIMEFORMAT=%R; time taskset -c "$c" sh -c 'head -c 134217728 /dev/zero | sha256sum >/dev/null'; } 2>&1 )
            if [ -z "$best" ] || [ "$(calc "$t < $best")" = 1 ]; then best=$t; fi
        done
        line+="cpu$c ${best} s  "
    done
    echo "$line(the same work pinned to each core; lower is faster)"
}

echo
echo "Machine:  $NPROC cores ($CPU_MODEL), $MEM_GIB GiB RAM, $(uname -sr); work folder on $FS_INFO"
echo "Cores:    $(core_speeds)"
echo "Versions: PostgreSQL server $PG_SERVER, $PG_DUMP_VERSION, ${CLI_VERSION:-lifeboat-cli (no --version)} at $CLI, repo $GIT_REV"
echo "Database: bench, $(printf '%.0f' "$(calc "$DB_BYTES / 1048576")") MB (pg_database_size), $TABLE_COUNT tables;" \
     "built in $(printf '%.0f' "$BUILD_SECONDS") s (fsync off while building, on for the runs; other settings default)"
while read -r part size; do printf '          %-14s %8s MB\n' "$part" "$size"; done <<<"$SIZES"
echo

# Warm-up: OS caches cannot be dropped here, so every measured run sees a warm cache instead.
say "Warm-up pg_dump -Fc to /dev/null (not measured; all measured runs then see a warm page cache)"
WARM_START=$(now)
"$PGBIN/pg_dump" -Fc -d "$DSN" >/dev/null || die "warm-up pg_dump failed" # stdout: -f /dev/null cannot be fsynced
WARM_SECONDS=$(calc "$(now) - $WARM_START")

FAILED=0

# The three backups. Each round runs them in a different order (a round robin), so neither a
# slow spell of a shared machine nor the order itself favours one of them; each round's ratios
# compare runs minutes apart at most.
cat >"$WORK/serial.sh" <<EOF
set -euo pipefail
'$PGBIN/pg_dump' -Fc -f '$OUT/serial/db.dump' -d '$DSN'
'$PGBIN/pg_dump' -Fp -f '$OUT/serial/db.sql' -d '$DSN'
'$PGBIN/psql' -X -At -v ON_ERROR_STOP=1 -d '$DSN' -c "SELECT format('\\copy %I.%I TO ''%s.%s.csv'' CSV HEADER', schemaname, tablename, '$OUT/serial/csv/' || schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1" \\
  | '$PGBIN/psql' -X -q -v ON_ERROR_STOP=1 -d '$DSN' -f -
EOF
LB_HOME=$WORK/lifeboat-home
mkdir -p "$LB_HOME"/{config,data,cache,state} "$OUT/lifeboat"
chmod 700 "$LB_HOME"
LB_ENV=(env XDG_CONFIG_HOME="$LB_HOME/config" XDG_DATA_HOME="$LB_HOME/data"
        XDG_CACHE_HOME="$LB_HOME/cache" XDG_STATE_HOME="$LB_HOME/state")
LB_BACKUP=

run_bare() { # $1 = round
    local key=bare$1
    measure "$key" /dev/null "$PGBIN/pg_dump" -Fc -f "$OUT/bare.dump" -d "$DSN"
    if [ "${R_RC[$key]}" -ne 0 ]; then show_err "$key"; FAILED=1; fi
    R_SIZE[$key]=$(bytes_of "$OUT/bare.dump")
    if [ "$KEEP" -eq 0 ] || [ "$1" -lt "$ROUNDS" ]; then rm -f "$OUT/bare.dump"; fi
}
run_serial() {
    local key=serial$1
    rm -rf "$OUT/serial"
    mkdir -p "$OUT/serial/csv"
    measure "$key" /dev/null bash "$WORK/serial.sh"
    if [ "${R_RC[$key]}" -ne 0 ]; then show_err "$key"; FAILED=1; fi
    R_SIZE[$key]=$(bytes_of "$OUT/serial")
    CSV_COUNT=$(find "$OUT/serial/csv" -name '*.csv' | wc -l)
    if [ "$KEEP" -eq 0 ] || [ "$1" -lt "$ROUNDS" ]; then rm -rf "$OUT/serial"; fi
}
run_lifeboat() { # isolated from the user's own Lifeboat settings and history
    local key=lifeboat$1 path
    # Only the newest backup is kept (the restores below read it), all of them with --keep.
    [ -z "$LB_BACKUP" ] || [ "$KEEP" -eq 1 ] || rm -rf "$LB_BACKUP"
    LB_BACKUP=
    measure "$key" "$WORK/$key.out" "${LB_ENV[@]}" "$CLI" backup --dsn "$DSN" --out "$OUT/lifeboat"
    # GNU time runs `env`, which execs lifeboat-cli in place: the sampled top process is lifeboat-cli.
    path=$(tail -n 1 "$WORK/$key.out")
    if [ "${R_RC[$key]}" -ne 0 ]; then
        show_err "$key"; FAILED=1
    elif [ -z "$path" ] || [ ! -e "$path" ]; then
        echo "backup-bench: lifeboat-cli exited 0 but its last stdout line is not an existing path: '$path'" >&2
        FAILED=1
    else
        LB_BACKUP=$path
    fi
    R_SIZE[$key]=$( [ -n "$LB_BACKUP" ] && bytes_of "$LB_BACKUP" || echo 0)
}

ORDER=(bare serial lifeboat)
for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < 3; i++)); do
        what=${ORDER[$(( (i + r - 1) % 3 ))]}
        case $what in
            bare) say "round $r/$ROUNDS: bare pg_dump -Fc"; run_bare "$r" ;;
            serial) say "round $r/$ROUNDS: serial: pg_dump -Fc; pg_dump -Fp; psql \\copy of every table to CSV"
                    run_serial "$r" ;;
            lifeboat) say "round $r/$ROUNDS: lifeboat-cli backup"; run_lifeboat "$r" ;;
        esac
    done
done

# ---------------------------------------------------------------------------------------------
# median V...: the middle value (the mean of the two middle ones for an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# all_ok KIND: did every round of that command succeed?
all_ok() { local r; for ((r = 1; r <= ROUNDS; r++)); do [ "${R_RC[$1$r]}" -eq 0 ] || return 1; done; }
# values FIELD KIND: that array's value for every round of the command, one per word
values() {
    local -n arr=$1
    local r out=()
    for ((r = 1; r <= ROUNDS; r++)); do out+=("${arr[$2$r]}"); done
    echo "${out[@]}"
}
# Medians (time, CPU, size) and the largest memory peak of each command go under the plain
# key, so the table below reads them like the single rounds.
for what in bare serial lifeboat; do
    if all_ok "$what"; then
        R_RC[$what]=0
        # shellcheck disable=SC2046 # one word per round
        {
            R_WALL[$what]=$(median $(values R_WALL "$what"))
            R_CPU[$what]=$(median $(values R_CPU "$what"))
            R_SCPU[$what]=$(median $(values R_SCPU "$what"))
            R_SIZE[$what]=$(median $(values R_SIZE "$what"))
            R_MAXRSS[$what]=$(printf '%s\n' $(values R_MAXRSS "$what") | sort -g | tail -n 1)
            R_OWN[$what]=$(printf '%s\n' $(values R_OWN "$what") | sort -g | tail -n 1)
            R_TREE[$what]=$(printf '%s\n' $(values R_TREE "$what") | sort -g | tail -n 1)
        }
    else
        R_RC[$what]=1
    fi
done

row() { # key label rss_kb: one line of the table; the output column only when R_SIZE[key] is set
    local key=$1 label=$2 rss=$3
    if [ "${R_RC[$key]}" -ne 0 ]; then
        printf '%-44s %8s  (exit %s, see stderr above)\n' "$label" FAILED "${R_RC[$key]}"
        return
    fi
    printf '%-44s %8.1f %8.1f %9.1f %9.0f' "$label" "${R_WALL[$key]}" "${R_CPU[$key]}" \
        "${R_SCPU[$key]}" "$(mb "$rss")"
    [ -n "${R_SIZE[$key]:-}" ] && printf ' %10.0f' "$(calc "${R_SIZE[$key]} / 1048576")"
    echo
}
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }
header() {
    printf '%-44s %8s %8s %9s %9s %10s\n' command "wall s" "CPU s" "srv CPU s" "peak MB" "output MB"
    printf '%-44s %8s %8s %9s %9s %10s\n' -------------------------------------------- -------- -------- --------- --------- ----------
}
SERIAL_LABEL="serial: pg_dump -Fc, -Fp, \\copy ${CSV_COUNT:-0} CSVs"

echo
echo "Each round (scale $SCALE, same database, warm cache; warm-up pg_dump took $(printf '%.1f' "$WARM_SECONDS") s)"
header
for ((r = 1; r <= ROUNDS; r++)); do
    echo "round $r (order: ${ORDER[$(( (r - 1) % 3 ))]}, ${ORDER[$(( r % 3 ))]}, ${ORDER[$(( (r + 1) % 3 ))]})"
    row "bare$r" "  bare pg_dump -Fc" "${R_MAXRSS[bare$r]}"
    row "serial$r" "  $SERIAL_LABEL" "${R_MAXRSS[serial$r]}"
    row "lifeboat$r" "  lifeboat-cli backup" "${R_OWN[lifeboat$r]}"
done
echo
echo "Results: median of $ROUNDS round(s); peak MB is the largest of them"
header
row bare "bare pg_dump -Fc" "${R_MAXRSS[bare]}"
row serial "$SERIAL_LABEL" "${R_MAXRSS[serial]}"
row lifeboat "lifeboat-cli backup" "${R_OWN[lifeboat]}"
cat <<EOF

  wall s      elapsed time of the whole command (the serial row: all three steps, one after another).
  CPU s       user + sys of the command and every process it started and waited for (client side).
  srv CPU s   CPU the PostgreSQL server used meanwhile (postmaster, backends, background
              processes), from /proc; not included in "CPU s".
  peak MB     peak resident memory of client processes, never the server's:
                bare      pg_dump's own peak (GNU time %M);
                serial    the largest single step (pg_dump or psql) (GNU time %M: the max over
                          the waited-for processes, not their sum);
                lifeboat  lifeboat-cli's own peak (its VmHWM, sampled every 50 ms until it exits).
  output MB   bytes written (bare: the .dump; serial: .dump + .sql + CSVs; lifeboat: its backup folder).
EOF
if [ "${R_RC[lifeboat]}" -eq 0 ]; then
    echo
    echo "  lifeboat-cli memory in detail (the largest of the rounds):"
    echo "    own peak                  ${R_OWN[lifeboat]} KB  (its VmHWM, sampled every 50 ms: misses only growth in its last 50 ms)"
    echo "    largest process in tree   ${R_MAXRSS[lifeboat]} KB  (GNU time %M: the max over lifeboat-cli and the children it"
    echo "                              waited for; the same figure, within a few hundred KB, when no child was larger)"
    echo "    whole tree at its worst   ${R_TREE[lifeboat]} KB  (sampled sum of VmRSS of lifeboat-cli and all its descendants)"
fi

echo
echo "Ratios (wall time; targets from the issue, on this 2-core machine)"
if [ "${R_RC[lifeboat]}" -eq 0 ] && [ "${R_RC[serial]}" -eq 0 ] && [ "${R_RC[bare]}" -eq 0 ]; then
    # ratio_line LABEL OTHER TARGET: each round's lifeboat/OTHER, their median against the target,
    # and in how many rounds the target held
    ratio_line() {
        local label=$1 other=$2 target=$3 r x list=() met=0 mid
        for ((r = 1; r <= ROUNDS; r++)); do
            x=$(calc "${R_WALL[lifeboat$r]} / ${R_WALL[$other$r]}")
            list+=("$x")
            awk "BEGIN { exit !($x <= $target) }" && met=$((met + 1))
        done
        mid=$(median "${list[@]}")
        printf '  %-18s %5.2fx   target <= %.2fx   %s   (rounds: %s; met in %d of %d)\n' "$label" "$mid" "$target" \
            "$(verdict "$mid <= $target")" "$(printf '%.2f ' "${list[@]}" | sed 's/ $//')" "$met" "$ROUNDS"
    }
    ratio_line "lifeboat / serial" serial 0.50
    ratio_line "lifeboat / bare" bare 0.90
    own_mb=$(mb "${R_OWN[lifeboat]}")
    printf '  %-18s %5.0f MB  target <= 100 MB  %s   (the largest of the rounds)\n' "lifeboat own peak" "$own_mb" \
        "$(verdict "$own_mb <= 100")"
    printf '  (CPU, for reference: lifeboat / serial %.2fx, lifeboat / bare %.2fx, client side only, medians)\n' \
        "$(calc "${R_CPU[lifeboat]} / ${R_CPU[serial]}")" "$(calc "${R_CPU[lifeboat]} / ${R_CPU[bare]}")"
else
    echo "  not computed: a run failed"
fi

# ---------------------------------------------------------------------------------------------
# Optional: restores. Runs only when `lifeboat-cli restore --help` exits 0.
RESTORE_TABLE=small_15
echo
if [ "$HAS_RESTORE" -eq 0 ]; then
    echo "Restore: skipped ('lifeboat-cli restore --help' does not exit 0: no restore command yet)"
elif [ -z "$LB_BACKUP" ]; then
    echo "Restore: skipped (no Lifeboat backup to restore from)"
else
    # The one table first: after the full restore, autovacuum spends the next seconds on its
    # ~1 GB of new rows, which would be timed as part of whatever runs then. Each restore
    # thus meets a quiet server.
    say "restore: one table (public.$RESTORE_TABLE) into a new database"
    measure restore_one /dev/null "${LB_ENV[@]}" "$CLI" restore "$LB_BACKUP" --new-db bench_restore_one \
        --dsn "$SERVER_DSN" --only "table:public.$RESTORE_TABLE" --yes
    say "restore: whole backup into a new database"
    measure restore_full /dev/null "${LB_ENV[@]}" "$CLI" restore "$LB_BACKUP" --new-db bench_restore_full \
        --dsn "$SERVER_DSN" --yes

    # Not timed: do the restored databases hold the rows?
    counts_sql="SELECT string_agg(format('%s=%s', t, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %s', t), false, true, '')))[1]::text), ' ' ORDER BY t)
                FROM (SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
                      WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) s"
    CHECK_FULL=failed CHECK_ONE=failed
    if [ "${R_RC[restore_full]}" -ne 0 ]; then
        show_err restore_full; FAILED=1
    else
        src=$(psql_q -At -d "$DSN" -c "$counts_sql")
        dst=$(psql_q -At -d "postgresql://postgres@127.0.0.1:$PORT/bench_restore_full" -c "$counts_sql" 2>&1 || true)
        if [ "$src" = "$dst" ]; then CHECK_FULL="row counts of all $TABLE_COUNT tables match"
        else CHECK_FULL="ROW COUNTS DIFFER"; FAILED=1; fi
    fi
    if [ "${R_RC[restore_one]}" -ne 0 ]; then
        show_err restore_one; FAILED=1
    else
        want=$(psql_q -At -d "$DSN" -c "SELECT count(*) FROM public.$RESTORE_TABLE")
        got=$(psql_q -At -d "postgresql://postgres@127.0.0.1:$PORT/bench_restore_one" \
              -c "SELECT count(*) FROM public.$RESTORE_TABLE" 2>&1 || true)
        if [ "$want" = "$got" ]; then CHECK_ONE="$got rows, as in the source"
        else CHECK_ONE="EXPECTED $want ROWS, GOT: $got"; FAILED=1; fi
    fi
    echo "Restore from Lifeboat's backup (into new databases on the same server; srv CPU matters here)"
    printf '%-44s %8s %8s %9s %9s\n' command "wall s" "CPU s" "srv CPU s" "peak MB"
    printf '%-44s %8s %8s %9s %9s\n' -------------------------------------------- -------- -------- --------- ---------
    row restore_full "lifeboat-cli restore (full)" "${R_OWN[restore_full]}"
    row restore_one "lifeboat-cli restore --only public.$RESTORE_TABLE" "${R_OWN[restore_one]}"
    echo "  check: full: $CHECK_FULL; one table: $CHECK_ONE"
    if [ "${R_RC[restore_full]}" -eq 0 ] && [ "${R_RC[restore_one]}" -eq 0 ]; then
        r_one=$(calc "${R_WALL[restore_one]} / ${R_WALL[restore_full]}")
        printf '  one-table / full restore   %5.1f%%   target <= 5%%   %s\n' "$(calc "$r_one * 100")" \
            "$(verdict "$r_one <= 0.05")"
    fi
fi

echo
echo "Cores after the runs: $(core_speeds)"
echo "Reproduce: $REPRO"
if [ "$FAILED" -ne 0 ]; then
    echo "backup-bench: a run failed (figures above are incomplete)" >&2
    exit 1
fi
exit 0
