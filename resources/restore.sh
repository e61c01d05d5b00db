#!/usr/bin/env bash
# restore.sh - restore this Lifeboat backup folder WITHOUT Lifeboat.
#
# Needs bash 4+, psql, pg_restore, sha256sum, sed and grep; nothing else. The target database
# comes from the standard libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD or
# PGPASSFILE / ~/.pgpass). Run "./restore.sh --help" for the options.
set -euo pipefail
shopt -s nullglob globstar dotglob

readonly COMPONENTS=(database roles auth_users user_roles rls_policies functions encryption
                     migrations storage edge_functions config)
# pg_dump/pg_dumpall from late 2025 on write "\restrict KEY" / "\unrestrict KEY" lines that
# older psql cannot read; they only guard against a malicious server, so drop them.
readonly STRIP_RESTRICT='/^\\(un)?restrict( |$)/d'
# The SQL files Lifeboat writes are UTF-8, whatever the database's encoding (pg_dump's files say
# their own encoding, which wins).
export PGCLIENTENCODING=UTF8

usage() {
  cat <<'EOF'
Usage: PGHOST=... PGPORT=... PGUSER=... PGDATABASE=... ./restore.sh [options]

Restores this backup into the database named by the libpq environment (PGHOST,
PGPORT, PGUSER, PGDATABASE, PGPASSWORD or PGPASSFILE / ~/.pgpass). Passwords are
never taken on the command line. The backup is verified against SHA256SUMS first.

Without --only everything in the backup is restored: roles, the database dump
(schema, data, then indexes/constraints/policies), database settings and grants,
encryption settings, and files when --project-dir / --storage-dir are given.
A full restore expects an EMPTY target database: create one with createdb.

Options:
  --only C[,C...]    restore only these components (repeatable): database roles
                     auth_users user_roles rls_policies functions encryption
                     migrations storage edge_functions config
  --list             list the components in this backup and exit
  --dry-run          verify the backup, print the commands, change nothing
  --yes              do not ask for confirmation (required without a terminal)
  --project-dir DIR  project folder; migrations, edge_functions and config files
                     are copied to DIR/supabase/...
  --storage-dir DIR  folder that receives storage/files/<bucket>/<object>
  --no-owner         objects belong to the connecting user even for a superuser
  --safety-dump FILE where the target is dumped (pg_dump -Fc) before anything
                     changes, when it has tables (default:
                     ~/before-restore-DATABASE-TIME.dump)
  --no-safety-dump   restore into a database that has tables without dumping it
                     first: there is then no way back
  -h, --help         this text

Existing files are never overwritten: a file that differs is written beside it
as NAME.restored. Exit status: 0 everything asked for was restored, 1 something
failed, 2 usage error or cannot connect, 3 refused, nothing changed (the backup is
damaged, or the target could not be dumped first), 4 not confirmed.
EOF
}

say()  { printf '%s\n' "$*"; }
warn() { printf 'restore.sh: %s\n' "$*" >&2; }
die()  { local code=$1; shift; warn "$*"; exit "$code"; }
dry()  { ((DRY_RUN)); }
cmdline() { local s; printf -v s '%q ' "$@"; printf '%s' "${s% }"; }   # a command, shell-quoted
show_pgoptions() { if [[ -n $1 ]]; then printf "PGOPTIONS='%s' " "$1"; fi; }
in_list() { local x=$1 y; shift; for y in "$@"; do [[ $x == "$y" ]] && return 0; done; return 1; }
selected() { in_list "$1" "${SELECTED[@]}"; }

# A component is present when its folder holds at least one file (the database needs its dump).
present() {
  local f
  if [[ $1 == database ]]; then [[ -f database/database.dump ]]; return; fi
  for f in "$1"/**; do if [[ -f $f ]]; then return 0; fi; done
  return 1
}

# ---- options -------------------------------------------------------------------------------
ONLY=() LIST=0 DRY_RUN=0 YES=0 FORCE_NO_OWNER=0 PROJECT_DIR='' STORAGE_DIR='' SAFETY_DUMP='' NO_SAFETY_DUMP=0
set_option() {
  local parts
  case $1 in
    --only) IFS=, read -ra parts <<<"$2"; ONLY+=("${parts[@]}") ;;
    --project-dir|--storage-dir)
      [[ -d $2 ]] || die 2 "$1: no such folder: $2"
      if [[ $1 == --project-dir ]]; then PROJECT_DIR=$(cd "$2" && pwd); else STORAGE_DIR=$(cd "$2" && pwd); fi ;;
  esac
}
while (($#)); do
  case $1 in
    --only|--project-dir|--storage-dir) (($# > 1)) || die 2 "$1 needs a value"; set_option "$1" "$2"; shift 2 ;;
    --safety-dump) (($# > 1)) || die 2 "$1 needs a value"; SAFETY_DUMP=$2; shift 2 ;;
    --safety-dump=*) SAFETY_DUMP=${1#*=}; shift ;;
    --no-safety-dump) NO_SAFETY_DUMP=1; shift ;;
    --only=*|--project-dir=*|--storage-dir=*) set_option "${1%%=*}" "${1#*=}"; shift ;;
    --list) LIST=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --yes) YES=1; shift ;;
    --no-owner) FORCE_NO_OWNER=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die 2 "unknown option: $1 (see --help)" ;;
  esac
done
for c in "${ONLY[@]}"; do in_list "$c" "${COMPONENTS[@]}" || die 2 "unknown component: $c (see --help)"; done

# Everything below works with paths relative to the backup folder, wherever we were started from.
cd "$(dirname "${BASH_SOURCE[0]}")"

if ((LIST)); then
  say "Components in $(pwd):"
  for c in "${COMPONENTS[@]}"; do
    if present "$c"; then
      n=0; for f in "$c"/**; do if [[ -f $f ]]; then n=$((n + 1)); fi; done
      printf '  %-15s %d file(s)\n' "$c" "$n"
    else
      printf '  %-15s (not in this backup)\n' "$c"
    fi
  done
  exit 0
fi

for tool in psql pg_restore sha256sum sed grep; do
  command -v "$tool" >/dev/null || die 2 "$tool not found on PATH (install the PostgreSQL client tools)"
done
TARGET_DESC="${PGHOST:-local socket}:${PGPORT:-5432}/${PGDATABASE:-<same as user>} as ${PGUSER:-$(id -un)}"
say "Target: $TARGET_DESC"
say "Backup: $(pwd)"
if ((!YES && !DRY_RUN)) && [[ ! -t 0 ]]; then
  die 4 "refusing to restore: no terminal to ask for confirmation. Re-run with --yes to confirm (or --dry-run to see what would happen)."
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---- 1. verify the backup before touching the database --------------------------------------
declare -A LISTED=()
verify_checksums() {
  local out line path
  [[ -f SHA256SUMS ]] || die 3 "SHA256SUMS is missing: this backup cannot be verified, refusing to restore."
  if ! out=$(sha256sum --check --quiet SHA256SUMS 2>&1); then
    warn "backup verification FAILED, nothing was restored. Damaged or missing files:"
    printf '  %s\n' "${out//$'\n'/$'\n'  }" >&2
    exit 3
  fi
  # Remember which files are covered, so that nothing unverified gets restored.
  while IFS= read -r line || [[ -n $line ]]; do
    path=${line:66}                        # 64 hex digits, a space, then ' ' (or '*' in binary mode)
    if [[ $line == \\* ]]; then            # sha256sum escapes names holding \ or a newline
      path=${line:67}; path=${path//\\\\/$'\x01'}; path=${path//\\n/$'\n'}; path=${path//\\r/$'\r'}
      path=${path//$'\x01'/\\}
    fi
    LISTED[$path]=1
  done <SHA256SUMS
  say "Backup verified: ${#LISTED[@]} files match SHA256SUMS."
}
verify_checksums

SELECTED=()
for c in "${COMPONENTS[@]}"; do
  if ((${#ONLY[@]})); then
    in_list "$c" "${ONLY[@]}" || continue
    present "$c" || die 2 "--only $c: this backup has no $c component (see --list)"
    if [[ $c == edge_functions || $c == config ]] && [[ -z $PROJECT_DIR ]]; then die 2 "--only $c needs --project-dir"; fi
  fi
  if present "$c"; then SELECTED+=("$c"); fi
done
((${#SELECTED[@]})) || die 2 "nothing to restore: this backup has no components"
FULL=$((${#ONLY[@]} == 0))

unlisted=()
for c in "${SELECTED[@]}"; do
  for f in "$c"/**; do if [[ -f $f && -z ${LISTED[$f]:-} ]]; then unlisted+=("$f"); fi; done
done
if ((${#unlisted[@]})); then
  warn "these files are not listed in SHA256SUMS, so they cannot be verified; refusing to restore:"
  printf '  %s\n' "${unlisted[@]}" >&2
  exit 3
fi
if selected database && ! out=$(pg_restore -l database/database.dump 2>&1 >/dev/null); then
  die 3 "pg_restore cannot read database/database.dump (it must be at least as new as the pg_dump that wrote it): $out"
fi

# ---- 2. look at the target (read-only) -----------------------------------------------------
DB_USER=${PGUSER:-$(id -un)} TARGET_DB=${PGDATABASE:-$DB_USER} SUPERUSER=f DB_USER_IDENT='' N_TABLES=0
probe_sql="SELECT current_user, current_database(), r.rolsuper, quote_ident(current_user),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%')
  FROM pg_roles r WHERE r.rolname = current_user"
if out=$(psql -X -At -F $'\t' -v ON_ERROR_STOP=1 -c "$probe_sql" 2>&1); then
  IFS=$'\t' read -r DB_USER TARGET_DB SUPERUSER DB_USER_IDENT N_TABLES <<<"$out"
elif dry; then
  warn "cannot connect (${out%%$'\n'*}); the dry run assumes $DB_USER is not a superuser"
else
  die 2 "cannot connect to the target: $out"
fi
export PGDATABASE=$TARGET_DB
NO_OWNER=0
if ((FORCE_NO_OWNER)) || [[ $SUPERUSER != t ]]; then NO_OWNER=1; fi

[[ -z $DB_USER_IDENT ]] ||
  say "Connected as $DB_USER to database $TARGET_DB ($([[ $SUPERUSER == t ]] && echo superuser || echo 'NOT a superuser'))."
say "Components: ${SELECTED[*]}$( ((FULL)) && echo ' (full restore)')"
if selected database; then
  if ((NO_OWNER)); then
    say "Ownership: pg_restore --no-owner$( ((FORCE_NO_OWNER)) && echo ' (as asked)'). Every restored object will"
    say "  belong to $DB_USER, not to its original owner (e.g. supabase_auth_admin)."
    [[ $SUPERUSER == t ]] || say "  $DB_USER is not a superuser: restore as one to keep the owners."
  else
    say "Ownership: kept as in the backup (connected as a superuser)."
  fi
  if ((N_TABLES > 0)); then
    warn "WARNING: the target database already has $N_TABLES tables. The dump expects an empty database;"$'\n'"  existing objects will fail with 'already exists'. Prefer a new database (createdb) or --only."
  fi
fi
if [[ -z $PROJECT_DIR ]] && { selected migrations || selected edge_functions || selected config; }; then
  say "No --project-dir: migration, edge function and config files will not be copied."
fi
[[ -n $STORAGE_DIR ]] || ! selected storage || say "No --storage-dir: storage files will not be copied."
if ((!YES && !DRY_RUN)); then
  read -r -p "Restore into $TARGET_DB on ${PGHOST:-local socket}:${PGPORT:-5432}? Type yes to continue: " answer || true
  [[ ${answer:-} == yes ]] || die 4 "not confirmed; nothing was restored."
fi

LOG=/dev/null
if ! dry; then
  if [[ -w . ]]; then LOG=$PWD; else LOG=${TMPDIR:-/tmp}; fi
  LOG=$LOG/restore-$(date +%Y%m%d-%H%M%S).log
  say "restore.sh into $TARGET_DESC (connected as $DB_USER, superuser=$SUPERUSER), $(date)" >"$LOG"
  say "Log: $LOG"
fi
((DRY_RUN)) && say "Dry run: these commands would run (nothing is changed):"

# ---- the way back: a target that has tables is dumped before anything changes --------------
SAFETY=''
if ((N_TABLES > 0 && !NO_SAFETY_DUMP)); then
  SAFETY=${SAFETY_DUMP:-${HOME:-.}/before-restore-${TARGET_DB//\//_}-$(date +%Y%m%d-%H%M%S).dump}
  if dry; then
    printf '  $ %s\n' "$(cmdline pg_dump -Fc -f "$SAFETY")"
  else
    say "Safety dump of $TARGET_DB first (it has $N_TABLES tables): $SAFETY"
    if ! out=$( (umask 077; pg_dump -Fc -f "$SAFETY") 2>&1); then
      rm -f -- "$SAFETY"
      die 3 "could not dump the target first, so nothing was restored: ${out%%$'\n'*}"$'\n'"  Fix that, or name another file with --safety-dump FILE, or restore without a way back with --no-safety-dump."
    fi
    printf '== safety dump: %s\n' "$SAFETY" >>"$LOG"
  fi
elif ((N_TABLES > 0)) && ! dry; then
  warn "no safety dump (--no-safety-dump): there is no way back from this restore but another backup."
fi

# ---- bookkeeping -----------------------------------------------------------------------------
declare -A STATE=() NOTE=()
FAILED_OBJECTS=() SIDE_FILES=()
# mark COMPONENT ok|skip|fail NOTE: a failure sticks, ok beats skip.
mark() {
  local c=$1 s=$2 note=${3:-}
  case "${STATE[$c]:-}/$s" in
    fail/*) ;;
    */fail|*/ok) STATE[$c]=$s ;;
    /skip) STATE[$c]=skip ;;
  esac
  if [[ -n $note ]]; then NOTE[$c]+="${NOTE[$c]:+; }$note"; fi
}

# ---- 3. steps ------------------------------------------------------------------------------
# run_sql FILE MODE [FILTER]: feed FILE (minus \restrict lines) to psql. MODE is "atomic" (one
# transaction, stop at the first error), "tolerant" (go on, count errors) or "replica" (atomic,
# and when superuser with session_replication_role=replica so triggers do not fire twice).
ERRORS=0 EXPECTED=0
run_sql() {
  local file=$1 mode=$2 filter=${3:-cat} rc=0 err=$WORK/psql.err pgopts=${PGOPTIONS:-}
  local opts=(-X -q -v "target_db=$TARGET_DB")
  if [[ $mode == tolerant ]]; then opts+=(-v ON_ERROR_STOP=0); else opts+=(-v ON_ERROR_STOP=1 --single-transaction); fi
  if [[ $mode == replica && $SUPERUSER == t ]]; then pgopts="${pgopts:+$pgopts }-c session_replication_role=replica"; fi
  ERRORS=0 EXPECTED=0
  if dry; then
    if [[ $filter == cat ]]; then filter=''; else filter=" $filter |"; fi
    printf "  \$ sed -E '%s' %q |%s %s%s -f -\n" "$STRIP_RESTRICT" "$file" "$filter" \
      "$(show_pgoptions "$pgopts")" "$(cmdline psql "${opts[@]}")"
    return 0
  fi
  say "  psql < $file"
  printf '\n== psql %s (%s)\n' "$file" "$mode" >>"$LOG"
  sed -E "$STRIP_RESTRICT" "$file" | "$filter" | PGOPTIONS=$pgopts psql "${opts[@]}" -f - >>"$LOG" 2>"$err" || rc=$?
  cat "$err" >>"$LOG"
  ERRORS=$(grep -cE 'ERROR:|FATAL:|psql: error:' "$err" || true)
  EXPECTED=$(grep -c 'ERROR:.*already exists' "$err" || true)
  if ((rc != 0)); then grep -m3 -E 'ERROR:|FATAL:|psql: error:' "$err" | sed 's/^/    /' >&2 || true; fi
  return "$rc"
}

# Never let roles.sql change the role we are connected as: restoring into a cluster whose
# superuser is "postgres", the source's "ALTER ROLE postgres WITH NOSUPERUSER ..." would demote
# us halfway through. A non-superuser may change little of a role that exists (not SUPERUSER,
# REPLICATION or BYPASSRLS, nor a superuser's anything), so, like Lifeboat's own restore, it
# leaves the roles that exist as they are, and grants memberships as itself. (Used as a filter
# between sed and psql.)
declare -A EXISTING_ROLE=()
keep_roles() {
  local line name
  while IFS= read -r line || [[ -n $line ]]; do
    name=''
    case $line in
      "CREATE ROLE "*";") name=${line#CREATE ROLE }; name=${name%;} ;;
      "ALTER ROLE "*" WITH "*|"ALTER ROLE "*" SET "*) name=${line#ALTER ROLE }; name=${name%% WITH *}; name=${name%% SET *} ;;
      "COMMENT ON ROLE "*" IS "*) name=${line#COMMENT ON ROLE }; name=${name%% IS *} ;;
    esac
    if [[ -n $name && $name == "$DB_USER_IDENT" && $line != "ALTER ROLE "*" SET "* ]]; then
      printf -- '-- restore.sh: left the connecting role unchanged: %s\n' "${line%% WITH *}"
    elif [[ -n $name && -n ${EXISTING_ROLE[$name]:-} ]]; then
      printf -- '-- restore.sh: left existing role %s as it is\n' "$name"
    elif [[ $SUPERUSER != t && $line == "GRANT "*" TO "*" GRANTED BY "* ]]; then
      printf '%s;\n' "${line% GRANTED BY *}" # only a superuser may name another grantor
    else
      printf '%s\n' "$line"
    fi
  done
}

restore_roles_file() {
  [[ -f roles/roles.sql ]] || { mark roles skip "no roles.sql"; return 0; }
  local left=0 name
  if [[ $SUPERUSER != t ]] && ! dry; then
    while IFS= read -r name; do EXISTING_ROLE[$name]=1; done < <(psql -X -At -c "SELECT quote_ident(rolname) FROM pg_roles" 2>/dev/null)
    left=$(sed -E "$STRIP_RESTRICT" roles/roles.sql | keep_roles | grep -o '^-- restore.sh: left existing role [^ ]*' | sort -u | wc -l)
  fi
  say "- roles: roles.sql (errors do not stop it: some roles may already exist; the connecting"
  say "  role's own CREATE/ALTER ROLE lines are skipped so it keeps its attributes)"
  if ((left > 0)); then
    say "  $left role(s) exist already and $DB_USER is not a superuser: they are left as they are"
    say "  (restore as a superuser to reset their attributes and passwords)"
  fi
  if ! run_sql roles/roles.sql tolerant keep_roles; then mark roles fail "roles.sql could not run"; return 0; fi
  if dry; then mark roles ok "roles.sql"; return 0; fi
  if ! grep -q "PASSWORD '" roles/roles.sql; then
    say "  note: roles.sql has no passwords; roles it created cannot log in until you run ALTER ROLE name PASSWORD '...'"
  fi
  local existing="$EXPECTED statements hit existing roles"
  ((left == 0)) || existing="$left existing roles left as they are (not a superuser)"
  if ((ERRORS > EXPECTED)); then
    mark roles fail "roles.sql: $((ERRORS - EXPECTED)) errors besides $EXPECTED 'already exists' (see log)"
    grep -E 'ERROR:' "$WORK/psql.err" | grep -v 'already exists' | head -5 | sed 's/^/    /' >&2 || true
  else
    mark roles ok "roles.sql, $existing"
  fi
}

restore_db_settings() {   # ALTER DATABASE ... SET and GRANT ... ON DATABASE: not in a pg_dump
  local f
  for f in roles/database_settings.sql roles/database_grants.sql; do
    [[ -f $f ]] || continue
    say "- roles: ${f#roles/}"
    if run_sql "$f" atomic; then mark roles ok "${f#roles/}"; else mark roles fail "${f#roles/} failed"; fi
  done
}

# restore_section SECTION: one pg_restore pass. A superuser restores each section in one
# transaction and stops at the first error; a non-superuser is expected to hit errors
# (event triggers, superuser-only extensions, other owners' default privileges): go on, collect.
restore_section() {
  local s=$1 rc=0 err=$WORK/pg_restore.err pgopts=${PGOPTIONS:-} line obj='' n
  local args=(--section="$s" --dbname="$TARGET_DB" --verbose)   # verbose: errors name their object
  if ((NO_OWNER)); then args+=(--no-owner); fi
  if [[ $SUPERUSER == t ]]; then args+=(--single-transaction); fi
  # Triggers and FK checks off while loading rows (superuser only), so nothing runs twice.
  if [[ $s == data && $SUPERUSER == t ]]; then pgopts="${pgopts:+$pgopts }-c session_replication_role=replica"; fi
  if dry; then
    printf '  $ %s%s\n' "$(show_pgoptions "$pgopts")" "$(cmdline pg_restore "${args[@]}" database/database.dump)"
    mark database ok; return 0
  fi
  say "- database: pg_restore --section=$s"
  printf '\n== pg_restore %s\n' "${args[*]}" >>"$LOG"
  PGOPTIONS=$pgopts pg_restore "${args[@]}" database/database.dump 2>"$err" || rc=$?
  cat "$err" >>"$LOG"
  while IFS= read -r line; do      # "from TOC entry 3835; 0 0 ACL SCHEMA auth owner" names the object
    case $line in
      "pg_restore: from TOC entry "*) obj=${line#*; }; obj=${obj#* }; obj=${obj#* } ;;
      "pg_restore: error: "*) line="$s: ${obj:-?}: ${line#pg_restore: error: could not execute query: }"
                              FAILED_OBJECTS+=("${line:0:200}"); obj='' ;;
    esac
  done <"$err"
  n=$(grep -c '^pg_restore: error:' "$err" || true)
  if ((rc == 0 && n == 0)); then mark database ok; return 0; fi
  if [[ $SUPERUSER == t ]]; then
    mark database fail "$s failed and was rolled back"
    grep -m3 '^pg_restore: error:' "$err" | sed 's/^/    /' >&2 || true
  else
    mark database fail "$s: $n errors"
    say "    $n errors (not a superuser; going on, details at the end)"
  fi
  return 1
}

restore_database() {
  local s
  for s in pre-data data post-data; do
    if ! restore_section "$s" && [[ $SUPERUSER == t ]]; then
      mark database fail "later sections not run"; return 0
    fi
  done
}

# restore_sql_files COMPONENT MODE FILE...: each file in its own transaction; one failing
# file does not stop the others.
restore_sql_files() {
  local c=$1 mode=$2 f n=0 bad=0
  shift 2
  for f in "$@"; do
    [[ -f $f ]] || continue
    n=$((n + 1))
    ((n > 1)) || say "- $c"
    if ! run_sql "$f" "$mode"; then bad=$((bad + 1)); mark "$c" fail "$f failed"; fi
  done
  if ((n == 0)); then mark "$c" skip "no SQL files"; elif ((bad == 0)); then mark "$c" ok "$n SQL file(s)"; fi
}

same_file() { [[ -f $1 && -f $2 ]] && [[ $(sha256sum <"$1") == "$(sha256sum <"$2")" ]]; }

# restore_files COMPONENT SRC DEST OPTION: copy a tree, never overwriting a different file
# (that one goes beside it as NAME.restored).
restore_files() {
  local c=$1 src=$2 dest=$3 f rel target new=0 same=0 side=0 bad=0
  [[ -d $src ]] || { mark "$c" skip "no files in the backup"; return 0; }
  [[ -n $dest ]] || { mark "$c" skip "files not copied (no $4)"; return 0; }
  say "- $c: files -> $dest"
  for f in "$src"/**; do
    [[ -f $f ]] || continue
    rel=${f#"$src"/} target=$dest/${f#"$src"/}
    if same_file "$f" "$target"; then same=$((same + 1)); continue; fi
    if [[ -e $target ]]; then target+=.restored; side=$((side + 1)); SIDE_FILES+=("$target"); else new=$((new + 1)); fi
    if dry; then say "  would copy $rel -> $target"; continue; fi
    if ! { mkdir -p "${target%/*}" && cp "$f" "$target"; }; then bad=$((bad + 1)); mark "$c" fail "could not write $target"; fi
  done
  if ((bad == 0)); then mark "$c" ok "files: $new new, $same unchanged, $side written as .restored"; fi
}

run_plan() {
  local c
  if ((FULL)) && selected database; then
    # Roles first (owners and grantees must exist), then the dump section by section, then
    # what a single-database dump does not carry: database settings and grants.
    if selected roles; then restore_roles_file; fi
    restore_database
    if selected roles; then restore_db_settings; fi
    if selected encryption; then restore_sql_files encryption atomic encryption/settings.sql; fi
    # Policies, functions, auth/storage rows and migration history are inside the dump.
    for c in auth_users user_roles rls_policies functions migrations storage; do
      if ! selected "$c"; then continue; fi
      if [[ ${STATE[database]} == fail ]]; then mark "$c" skip "in the database dump, which failed"
      else mark "$c" ok "part of the database dump"; fi
    done
  else
    if selected roles; then restore_roles_file; restore_db_settings; fi
    if selected database; then restore_database; fi
    if selected encryption; then restore_sql_files encryption atomic encryption/settings.sql; fi
    # Functions before policies (policies call them); users before role assignments (FKs).
    if selected functions; then restore_sql_files functions atomic functions/*.sql; fi
    if selected rls_policies; then restore_sql_files rls_policies atomic rls_policies/*.sql; fi
    if selected auth_users; then
      [[ $SUPERUSER == t ]] || say "  (not a superuser: triggers on auth.users will fire for these rows)"
      restore_sql_files auth_users replica auth_users/users.sql
    fi
    if selected user_roles; then restore_sql_files user_roles atomic user_roles/*.sql; fi
    if selected migrations; then restore_sql_files migrations atomic migrations/schema_migrations.sql; fi
    if selected storage; then restore_sql_files storage replica storage/buckets.sql storage/objects.sql; fi
  fi
  if selected migrations; then restore_files migrations migrations/files "${PROJECT_DIR:+$PROJECT_DIR/supabase/migrations}" --project-dir; fi
  if selected storage; then restore_files storage storage/files "$STORAGE_DIR" --storage-dir; fi
  if selected edge_functions; then restore_files edge_functions edge_functions "${PROJECT_DIR:+$PROJECT_DIR/supabase/functions}" --project-dir; fi
  if selected config; then restore_files config config "${PROJECT_DIR:+$PROJECT_DIR/supabase}" --project-dir; fi
  return 0
}
run_plan

# ---- 4. summary ------------------------------------------------------------------------------
say ""
say "Summary ($(dry && echo 'dry run, nothing changed' || echo "$TARGET_DESC")):"
failed=0
for c in "${COMPONENTS[@]}"; do
  if ! selected "$c"; then
    ((FULL)) && printf '  %-15s skipped (not in this backup)\n' "$c"
    continue
  fi
  case ${STATE[$c]:-skip} in
    ok) word=restored; dry && word="would restore" ;;
    fail) word=FAILED; failed=1 ;;
    *) word=skipped ;;
  esac
  printf '  %-15s %s%s\n' "$c" "$word" "${NOTE[$c]:+ (${NOTE[$c]})}"
done
if ((${#SIDE_FILES[@]})); then
  say "Existing files differed; the backup's version was written beside them:"
  printf '  %s\n' "${SIDE_FILES[@]}"
fi
if ((${#FAILED_OBJECTS[@]})); then
  say "pg_restore could not restore ${#FAILED_OBJECTS[@]} object(s):"
  printf '  %s\n' "${FAILED_OBJECTS[@]:0:40}"
  ((${#FAILED_OBJECTS[@]} <= 40)) || say "  ... and $((${#FAILED_OBJECTS[@]} - 40)) more, see $LOG"
  [[ $SUPERUSER == t ]] || say "Most of these need a superuser: re-run as one (e.g. supabase_admin) into a new database."
fi
if [[ -n $SAFETY ]] && ! dry; then
  say "To go back to the target as it was: pg_restore --clean --if-exists -d $(printf '%q' "$TARGET_DB") $(printf '%q' "$SAFETY")"
fi
if ((failed)); then say "Restore INCOMPLETE; details in $LOG"; exit 1; fi
dry || say "Restore complete."
