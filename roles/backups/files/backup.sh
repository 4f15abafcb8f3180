#!/usr/bin/env bash
# webstack.aws backups: dump one database, compress it and stream it to S3, with no full local
# copy (memory holds a few upload parts; the disk holds nothing).
#   <prefix>-backup JOB
# JOB names a directory $WEBSTACK_BACKUPS_CONF/jobs/JOB (written by the role) with job.env and
# the engine's 0600 credentials file (my.cnf, pgpass or mongo.yaml): passwords never appear on
# a command line or in the environment.
# Object: s3://BUCKET/PREFIX/DB/YYYY/MM/DD/DB-YYYYmmddTHHMMSSZ.EXT (UTC); retention is the
# bucket's lifecycle. The multipart upload is completed only if every stage of the pipeline
# succeeded; otherwise it is aborted, so a failed dump never becomes an object. Success and
# failure both go to the journal (stdout/stderr) and to CloudWatch (BackupSuccess 1/0).
set -euo pipefail
umask 077

CONF_DIR=${WEBSTACK_BACKUPS_CONF:-/etc/webstack-backups}

log() { printf '%s%s\n' "${LOG_PREFIX_INFO:-}" "$*"; }
err() { printf '%s%s\n' "${LOG_PREFIX_ERR:-}" "$*" >&2; }
die() { err "backup: $*"; exit 2; }
# Under systemd (JOURNAL_STREAM set) a <N> prefix sets the journal priority.
if [ -n "${JOURNAL_STREAM:-}" ]; then LOG_PREFIX_INFO='<6>'; LOG_PREFIX_ERR='<3>'; fi

[ $# -eq 1 ] || die "usage: $(basename "$0") JOB"
JOB=$1
[[ $JOB =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "invalid job name: $JOB"
JOB_DIR=$CONF_DIR/jobs/$JOB
[ -r "$CONF_DIR/backups.env" ] || die "missing $CONF_DIR/backups.env"
[ -r "$JOB_DIR/job.env" ] || die "no such job: $JOB (no $JOB_DIR/job.env)"
# Settings only, no secrets (written by the role with shell quoting).
# shellcheck source=/dev/null
source "$CONF_DIR/backups.env"
# shellcheck source=/dev/null
source "$JOB_DIR/job.env"
export AWS_DEFAULT_REGION WEBSTACK_BACKUPS_S3_ENDPOINT_URL WEBSTACK_BACKUPS_CLOUDWATCH_ENDPOINT_URL
[ -z "${AWS_SHARED_CREDENTIALS_FILE:-}" ] || export AWS_SHARED_CREDENTIALS_FILE

s3stream() { "$PYTHON" "$S3STREAM" "$@"; }

started=$(date +%s)
# One run per job at a time (the timer and a manual run); the upload's state file beside it.
lock_dir=${WEBSTACK_BACKUPS_RUN_DIR:-/run/lock}
exec 9>"$lock_dir/${COMMAND_PREFIX}-backup-$JOB.lock"
flock -n 9 || die "job $JOB is already running"

metric() {
    # metric SUCCESS [SIZE_BYTES]: never masks the backup's own result.
    [ "$METRIC_ENABLED" = true ] || return 0
    local metrics=(--metric "BackupSuccess=$1:Count" --metric "BackupDurationSeconds=$(($(date +%s) - started)):Seconds")
    [ -z "${2:-}" ] || metrics+=(--metric "BackupSizeBytes=$2:Bytes")
    s3stream metric --namespace "$METRIC_NAMESPACE" \
        --dimension "Job=$JOB" --dimension "Host=$METRIC_HOST" "${metrics[@]}" \
        || err "backup: could not send the CloudWatch metric (namespace $METRIC_NAMESPACE)"
}

# --- the dump command, by engine (credentials from 0600 files only) ------------------------
case "$ENGINE" in
    mysql)
        dump=("$MYSQLDUMP" "--defaults-extra-file=$JOB_DIR/my.cnf" --single-transaction --quick
              --routines --triggers "${DUMP_OPTIONS[@]}" "$DATABASE")
        ext=sql ;;
    postgresql)
        export PGPASSFILE=$JOB_DIR/pgpass PGCONNECT_TIMEOUT=30
        [ -z "${PGHOST:-}" ] || export PGHOST
        [ -z "${PGPORT:-}" ] || export PGPORT
        [ -z "${PGUSER:-}" ] || export PGUSER
        if [ "$PG_FORMAT" = custom ]; then
            # Uncompressed custom format, compressed below like every engine's dump.
            dump=("$PG_DUMP" --no-password --format=custom --compress=0 "${DUMP_OPTIONS[@]}" "$DATABASE")
            ext=pgdump
        else
            dump=("$PG_DUMP" --no-password --format=plain "${DUMP_OPTIONS[@]}" "$DATABASE")
            ext=sql
        fi ;;
    mongodb)
        dump=("$MONGODUMP" "--config=$JOB_DIR/mongo.yaml" --archive "--db=$DATABASE" "${DUMP_OPTIONS[@]}")
        ext=archive ;;
    *) die "job $JOB: unknown engine '$ENGINE'" ;;
esac

case "$COMPRESSION" in
    gzip) compress=(gzip -c "-$COMPRESSION_LEVEL"); ext=$ext.gz ;;
    zstd) compress=(zstd -q -c "-$COMPRESSION_LEVEL" "-T$COMPRESSION_THREADS"); ext=$ext.zst ;;
    none) compress=(cat) ;;
    *) die "job $JOB: unknown compression '$COMPRESSION'" ;;
esac

day=$(date -u +%Y/%m/%d)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
key="${PREFIX:+$PREFIX/}$DATABASE/$day/$DATABASE-$stamp.$ext"
state="$lock_dir/${COMMAND_PREFIX}-backup-$JOB.upload.json"
rm -f "$state"

put=(s3stream put --bucket "$BUCKET" --key "$key" --state "$state"
     --part-size-mb "$PART_SIZE_MB" --concurrency "$UPLOAD_CONCURRENCY")
[ -z "$STORAGE_CLASS" ] || put+=(--storage-class "$STORAGE_CLASS")
[ -z "$SSE" ] || put+=(--sse "$SSE")
[ -z "$SSE_KMS_KEY_ID" ] || put+=(--sse-kms-key-id "$SSE_KMS_KEY_ID")

aborted() {
    s3stream abort --state "$state" || err "backup: could not abort the multipart upload of s3://$BUCKET/$key"
}
# shellcheck disable=SC2317  # called by the traps below
on_signal() {
    err "backup FAILED: job=$JOB interrupted by SIG$1; upload of s3://$BUCKET/$key aborted"
    aborted
    metric 0
    exit 1
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

log "backup: job=$JOB engine=$ENGINE database=$DATABASE -> s3://$BUCKET/$key"
set +e
"${dump[@]}" | "${compress[@]}" | "${put[@]}"
status=("${PIPESTATUS[@]}")
set -e

if [ "${status[*]}" = "0 0 0" ] && size=$(s3stream complete --state "$state"); then
    log "backup OK: job=$JOB s3://$BUCKET/$key size=$size bytes in $(($(date +%s) - started))s"
    metric 1 "$size"
    exit 0
fi
err "backup FAILED: job=$JOB database=$DATABASE exit statuses dump=${status[0]} compress=${status[1]} upload=${status[2]}; upload of s3://$BUCKET/$key aborted"
aborted
metric 0
exit 1
