#!/usr/bin/env bash
# webstack.aws backups: stream a backup from S3 into a named database, creating it if missing.
#   <prefix>-restore [-j JOB] [--force] BACKUP TARGET_DB
# BACKUP is an object key (PREFIX/DB/YYYY/MM/DD/DB-...; s3://BUCKET/KEY names another bucket),
# a date YYYY-MM-DD (the newest backup of that day, UTC) or "latest".
# -j JOB picks the job (its engine, connection and bucket); optional when the host has one job.
# TARGET_DB must be empty or missing unless --force (then tables are overwritten).
# The restore connects as the job's restore user (credentials in the job's 0600 files).
# Nothing is written to disk: S3 -> decompress -> client, with set -o pipefail.
set -euo pipefail
umask 077

CONF_DIR=${WEBSTACK_BACKUPS_CONF:-/etc/webstack-backups}

die() { printf 'restore: %s\n' "$*" >&2; exit 2; }
usage() { die "usage: $(basename "$0") [-j JOB] [--force] S3-KEY|YYYY-MM-DD|latest TARGET_DB"; }

JOB=""
FORCE=false
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        -j | --job) [ $# -ge 2 ] || usage; JOB=$2; shift 2 ;;
        --force) FORCE=true; shift ;;
        -h | --help) usage ;;
        --) shift; args+=("$@"); break ;;
        -*) usage ;;
        *) args+=("$1"); shift ;;
    esac
done
[ ${#args[@]} -eq 2 ] || usage
BACKUP=${args[0]}
TARGET=${args[1]}

if [ -z "$JOB" ]; then
    mapfile -t jobs < <(find "$CONF_DIR/jobs" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort)
    [ ${#jobs[@]} -gt 0 ] || die "no backup job on this host ($CONF_DIR/jobs)"
    [ ${#jobs[@]} -eq 1 ] || die "several jobs on this host, pick one with -j: ${jobs[*]}"
    JOB=${jobs[0]}
fi
[[ $JOB =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "invalid job name: $JOB"
JOB_DIR=$CONF_DIR/jobs/$JOB
[ -r "$JOB_DIR/job.env" ] || die "no such job: $JOB (no $JOB_DIR/job.env)"
# shellcheck source=/dev/null
source "$CONF_DIR/backups.env"
# shellcheck source=/dev/null
source "$JOB_DIR/job.env"
export AWS_DEFAULT_REGION WEBSTACK_BACKUPS_S3_ENDPOINT_URL WEBSTACK_BACKUPS_CLOUDWATCH_ENDPOINT_URL
[ -z "${AWS_SHARED_CREDENTIALS_FILE:-}" ] || export AWS_SHARED_CREDENTIALS_FILE

# Database names are used inside SQL identifiers: keep them plain.
[[ $TARGET =~ ^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$ ]] || die "invalid target database name: $TARGET"

s3stream() { "$PYTHON" "$S3STREAM" "$@"; }

# --- which object -------------------------------------------------------------------------
source_bucket=$BUCKET
base="${PREFIX:+$PREFIX/}$DATABASE/"
case "$BACKUP" in
    latest)
        key=$(s3stream latest --bucket "$source_bucket" --prefix "$base") ;;
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])
        key=$(s3stream latest --bucket "$source_bucket" --prefix "$base${BACKUP//-//}/") ;;
    s3://*/*)
        rest=${BACKUP#s3://}
        source_bucket=${rest%%/*}
        key=${rest#*/} ;;
    *)
        key=$BACKUP ;;
esac
case "$key" in
    *.gz) decompress=(gzip -dc) ;;
    *.zst) decompress=(zstd -dcq) ;;
    *) decompress=(cat) ;;
esac

# --- the engine's client, as the restore user --------------------------------------------
case "$ENGINE" in
    mysql)
        client=("$MYSQL" "--defaults-extra-file=$JOB_DIR/restore.cnf")
        tables=$("${client[@]}" -N -B -e \
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$TARGET'")
        if [ "$tables" -gt 0 ] && [ "$FORCE" != true ]; then
            die "database $TARGET has $tables tables; use --force to restore over them"
        fi
        "${client[@]}" -e "CREATE DATABASE IF NOT EXISTS \`$TARGET\`"
        load=("${client[@]}" "$TARGET") ;;
    postgresql)
        export PGPASSFILE=$JOB_DIR/pgpass PGCONNECT_TIMEOUT=30 PGUSER=$RESTORE_USER
        [ -z "${PGHOST:-}" ] || export PGHOST
        [ -z "${PGPORT:-}" ] || export PGPORT
        exists=$("$PSQL" --no-password -X -At -d "$PG_MAINTENANCE_DB" \
            -c "SELECT count(*) FROM pg_database WHERE datname = '$TARGET'")
        if [ "$exists" = 0 ]; then
            "$PSQL" --no-password -X -q -d "$PG_MAINTENANCE_DB" -c "CREATE DATABASE \"$TARGET\""
        else
            tables=$("$PSQL" --no-password -X -At -d "$TARGET" -c \
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
            if [ "$tables" -gt 0 ] && [ "$FORCE" != true ]; then
                die "database $TARGET has $tables tables; use --force to restore over them"
            fi
        fi
        case "$key" in
            *.pgdump | *.pgdump.*)
                load=("$PG_RESTORE" --no-password --no-owner --exit-on-error --dbname="$TARGET")
                [ "$FORCE" != true ] || load+=(--clean --if-exists) ;;
            *)
                load=("$PSQL" --no-password -X -q -v ON_ERROR_STOP=1 -d "$TARGET") ;;
        esac ;;
    mongodb)
        load=("$MONGORESTORE" "--config=$JOB_DIR/mongo-restore.yaml" --archive
              "--nsFrom=$DATABASE.*" "--nsTo=$TARGET.*")
        [ "$FORCE" != true ] || load+=(--drop) ;;
    *) die "job $JOB: unknown engine '$ENGINE'" ;;
esac

printf 'restore: s3://%s/%s -> %s database %s\n' "$source_bucket" "$key" "$ENGINE" "$TARGET"
started=$(date +%s)
set +e
s3stream get --bucket "$source_bucket" --key "$key" | "${decompress[@]}" | "${load[@]}"
status=("${PIPESTATUS[@]}")
set -e
if [ "${status[*]}" != "0 0 0" ]; then
    printf 'restore FAILED: exit statuses download=%s decompress=%s load=%s\n' "${status[@]}" >&2
    exit 1
fi
printf 'restore OK: %s in %ss\n' "$TARGET" "$(($(date +%s) - started))"
