#!/usr/bin/env bash
# Converge time of a fresh host, and of a no-op re-run, for the two host profiles:
#   laravel  (seed 000): webstack.aws.common, nginx (nginx_app_profile: laravel), php_fpm,
#                        supervisor (the Laravel queue worker), backups (one MySQL job)
#   fastapi  (seed 003): webstack.aws.common, nginx (nginx_app_profile: fastapi), uvicorn_app
#                        (the test application of molecule/uvicorn_app under uvicorn)
# Each profile gets a fresh systemd container of the project's host image (podman's default
# network: the roles install from Debian's mirror and PyPI) and ansible-playbook over the
# containers.podman connection, twice. Prints figures only (no timed assertion).
#   bench/host_profiles.sh [laravel] [fastapi]      (default: both)
# The backups job is only installed, never run: no database or AWS endpoint is contacted.
set -euo pipefail
# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/env.sh"
cd "$WEBSTACK_ROOT"

profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(laravel fastapi)

declare -A roles_of=(
    [laravel]="common nginx php_fpm supervisor backups"
    [fastapi]="common nginx uvicorn_app"
)
for profile in "${profiles[@]}"; do
    [ -n "${roles_of[$profile]:-}" ] || { echo "unknown profile: $profile (laravel, fastapi)" >&2; exit 2; }
    for role in ${roles_of[$profile]}; do
        [ -f "roles/$role/tasks/main.yml" ] || { echo "not run: role $role of the $profile profile does not exist yet" >&2; exit 1; }
    done
done
podman image exists "$WEBSTACK_HOST_IMAGE" || { echo "$WEBSTACK_HOST_IMAGE is missing: run scripts/local-hosts.sh build" >&2; exit 1; }

work=$(mktemp -d /tmp/webstack-bench-profiles.XXXXXX)
containers=()
cleanup() {
    local name
    for name in "${containers[@]}"; do podman rm -f -t 5 "$name" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

write_playbook() {
    local profile=$1 role
    {
        echo "---"
        echo "- name: The $profile host profile"
        echo "  hosts: all"
        echo "  gather_facts: true"
        echo "  tasks:"
        for role in ${roles_of[$profile]}; do
            echo "    - name: Apply webstack.aws.$role"
            echo "      ansible.builtin.include_role:"
            echo "        name: webstack.aws.$role"
        done
    } > "$work/$profile.yml"
}

write_vars() {
    local profile=$1 host=$2
    case "$profile" in
        laravel)
            cat > "$work/$profile.vars.yml" <<EOF
---
common_timesync_service_state: stopped   # systemd skips timesyncd in a container
nginx_app_profile: laravel
supervisor_profile: laravel
backups_designated_host: $host
backups_s3_bucket: innobic-backups
backups_jobs:
  - name: innobic
    engine: mysql
    database: innobic
    host: innobic-mysql-prod.internal
    user: backup
    password: bench-not-a-secret
EOF
            ;;
        fastapi)
            cat > "$work/$profile.vars.yml" <<EOF
---
common_timesync_service_state: stopped   # systemd skips timesyncd in a container
nginx_app_profile: fastapi
uvicorn_app_src: $WEBSTACK_ROOT/molecule/uvicorn_app/files/app
uvicorn_app_requirements_file: /opt/illustra-design-studio/backend/requirements.txt
EOF
            ;;
    esac
}

# converge PROFILE HOST LOG: runs the playbook, prints "seconds changed".
converge() {
    local profile=$1 host=$2 out=$3 start end changed
    start=$(date +%s.%N)
    if ! ANSIBLE_COLLECTIONS_PATH="$WEBSTACK_ROOT/.ansible/collections" ANSIBLE_ROLES_PATH="$WEBSTACK_ROOT/roles" \
        ansible-playbook -i "$host," -c containers.podman.podman -e "@$work/$profile.vars.yml" "$work/$profile.yml" \
        > "$out" 2>&1; then
        tail -n 40 "$out" >&2
        echo "the $profile converge failed (log above)" >&2
        return 1
    fi
    end=$(date +%s.%N)
    changed=$(sed -n "s/^$host *: .*changed=\([0-9]*\).*/\1/p" "$out" | tail -n 1)
    awk -v start="$start" -v end="$end" -v changed="${changed:-?}" 'BEGIN { printf "%.1f %s\n", end - start, changed }'
}

results=()
for profile in "${profiles[@]}"; do
    host="webstack-bench-$profile-$$"
    containers+=("$host")
    echo "[bench] $profile: fresh container $host" >&2
    podman run -d --name "$host" --hostname "$host" --systemd=always "$WEBSTACK_HOST_IMAGE" /sbin/init >/dev/null
    for _ in $(seq 60); do
        case "$(podman exec "$host" systemctl is-system-running 2>/dev/null || true)" in
            running | degraded) break ;;
        esac
        sleep 1
    done
    write_playbook "$profile"
    write_vars "$profile" "$host"
    echo "[bench] $profile: converge (roles: ${roles_of[$profile]})" >&2
    timing=$(converge "$profile" "$host" "$work/$profile.first.log")
    read -r first first_changed <<< "$timing"
    echo "[bench] $profile: no-op re-run" >&2
    timing=$(converge "$profile" "$host" "$work/$profile.second.log")
    read -r second second_changed <<< "$timing"
    results+=("$(printf '%-8s %-40s %-24s %s' "$profile" "${roles_of[$profile]}" \
        "$first s (changed=$first_changed)" "$second s (changed=$second_changed)")")
    podman rm -f -t 5 "$host" >/dev/null
done

printf '%-8s %-40s %-24s %s\n' profile roles "fresh converge" "no-op re-run"
printf '%s\n' "${results[@]}"
