#!/usr/bin/env bash
# Local stand-ins for the EC2 hosts: a systemd Debian 12 image built from Debian packages with
# debootstrap (no container registry needed) and run by rootful podman (molecule's podman driver).
#   scripts/local-hosts.sh build   build $WEBSTACK_HOST_IMAGE unless it exists with this recipe
#   scripts/local-hosts.sh smoke   boot a container from it, wait for systemd, remove it
#   scripts/local-hosts.sh clean   remove the image
# Podman reads scripts/podman/containers.conf (runc, cgroupfs, ulimits) through CONTAINERS_CONF,
# exported by lib/env.sh.
set -euo pipefail
# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

SUITE=bookworm
INCLUDE=python3,systemd,systemd-sysv,dbus,sudo,ca-certificates,iproute2,procps
# Units that cannot work, or only get in the way, inside a container.
MASK_UNITS=(
    getty.target getty@.service serial-getty@.service console-getty.service
    systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
    systemd-udev-trigger.service systemd-udev-settle.service
    systemd-logind.service
)
RECIPE_LABEL=webstack.recipe
SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-60}

log() { printf '[local-hosts] %s\n' "$*"; }
die() { printf '[local-hosts] ERROR: %s\n' "$*" >&2; exit 1; }

# Rootful podman and debootstrap need root; sudo keeps CONTAINERS_CONF for podman.
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo "--preserve-env=CONTAINERS_CONF,CONTAINERS_STORAGE_CONF")
podman() {
    if [ ${#SUDO[@]} -eq 0 ]; then command podman "$@"; else "${SUDO[@]}" podman "$@"; fi
}

# First http(s) URI of an apt source (deb822 *.sources or one-line sources.list) that lists the
# suite $1, e.g. "bookworm" or "bookworm-security"; empty if none.
host_mirror() {
    local suite=$1 file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        uri=$(awk -v suite="$suite" '
            BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^[ \t]*#/) continue
                    split(line, kv, ":")
                    key = tolower(kv[1]); val = substr(line, length(kv[1]) + 2)
                    if (key == "types") types = " " val " "
                    else if (key == "uris") uris = val
                    else if (key == "suites") suites = " " val " "
                    else if (key == "enabled") enabled = tolower(val)
                }
                gsub(/[ \t]+/, " ", types); gsub(/[ \t]+/, " ", suites)
                if (enabled ~ /no/ || types !~ / deb / || suites !~ (" " suite " ")) next
                n = split(uris, u, /[ \t]+/)
                for (j = 1; j <= n; j++) if (u[j] ~ /^https?:\/\//) { print u[j]; exit }
            }' "$file")
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        uri=$(awk -v suite="$suite" '
            $1 == "deb" {
                i = 2
                if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite && $i ~ /^https?:\/\//) { print $i; exit }
            }' "$file")
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
    return 0
}

MIRROR=$(host_mirror "$SUITE")
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=$(host_mirror "$SUITE-security")
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Everything between debootstrap and import; its text is part of the recipe hash.
customize_rootfs() {
    local rootfs=$1 unit crt
    for unit in "${MASK_UNITS[@]}"; do
        ln -sfn /dev/null "$rootfs/etc/systemd/system/$unit"
    done
    # Every container gets its own machine id at boot.
    : > "$rootfs/etc/machine-id"
    rm -f "$rootfs/var/lib/dbus/machine-id"
    # The host's extra CAs (e.g. an egress proxy's), or HTTPS from inside fails.
    for crt in /usr/local/share/ca-certificates/*.crt; do
        [ -f "$crt" ] && install -m 0644 "$crt" "$rootfs/usr/local/share/ca-certificates/"
    done
    chroot "$rootfs" update-ca-certificates --fresh >/dev/null 2>&1
    rm -f "$rootfs/etc/apt/sources.list"
    cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
}

# A changed recipe (packages, mirrors, extra CAs, customize steps) gives another hash and so a rebuild.
recipe_hash() {
    {
        echo "$SUITE $INCLUDE $MIRROR $SECURITY_MIRROR ${MASK_UNITS[*]}"
        declare -f customize_rootfs
        cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
    } | sha256sum | cut -c1-16
}

image_recipe() {
    podman image inspect --format "{{ index .Labels \"$RECIPE_LABEL\" }}" "$WEBSTACK_HOST_IMAGE" 2>/dev/null || true
}

# Unmount whatever debootstrap may have left mounted (when killed), then delete the tree.
remove_tree() {
    local dir=$1 mnt
    [ -d "$dir" ] || return 0
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
        "${SUDO[@]}" umount -l "$mnt" || true
    done
    "${SUDO[@]}" rm -rf --one-file-system "$dir"
}

cmd_build() {
    local want have start tmp
    want=$(recipe_hash)
    if podman image exists "$WEBSTACK_HOST_IMAGE"; then
        have=$(image_recipe)
        if [ "$have" = "$want" ]; then
            log "reusing $WEBSTACK_HOST_IMAGE (recipe $want)"
            return 0
        fi
        log "$WEBSTACK_HOST_IMAGE has recipe '${have:-none}', want $want: rebuilding"
    fi
    command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/setup.sh --hosts"
    start=$SECONDS
    mkdir -p "$WEBSTACK_STATE"
    tmp=$(mktemp -d "$WEBSTACK_STATE/host-image.XXXXXX")
    # shellcheck disable=SC2064  # expand $tmp now
    trap "remove_tree '$tmp'" EXIT
    log "debootstrap $SUITE from $MIRROR (log: $tmp/debootstrap.log)"
    if ! "${SUDO[@]}" debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp/rootfs" "$MIRROR" \
            >"$tmp/debootstrap.log" 2>&1; then
        tail -n 30 "$tmp/debootstrap.log" >&2
        die "debootstrap failed"
    fi
    log "customizing the root file system"
    if [ ${#SUDO[@]} -eq 0 ]; then
        customize_rootfs "$tmp/rootfs"
    else
        "${SUDO[@]}" bash -c "$(declare -p MASK_UNITS SUITE MIRROR SECURITY_MIRROR); $(declare -f customize_rootfs); customize_rootfs '$tmp/rootfs'"
    fi
    log "importing $WEBSTACK_HOST_IMAGE"
    "${SUDO[@]}" tar --numeric-owner -C "$tmp/rootfs" -c . | podman import --quiet \
        --change 'CMD ["/sbin/init"]' \
        --change 'STOPSIGNAL SIGRTMIN+3' \
        --change "LABEL $RECIPE_LABEL=$want" \
        - "$WEBSTACK_HOST_IMAGE" >/dev/null
    # Drop the untagged image a rebuild leaves behind, unless a container still uses it.
    podman image prune -f --filter "label=$RECIPE_LABEL" >/dev/null 2>&1 || true
    remove_tree "$tmp"
    trap - EXIT
    log "built $WEBSTACK_HOST_IMAGE (recipe $want) in $((SECONDS - start))s"
}

cmd_smoke() {
    local name="webstack-smoke-$$" state="" start waited
    podman image exists "$WEBSTACK_HOST_IMAGE" || die "$WEBSTACK_HOST_IMAGE is missing: run $0 build"
    # shellcheck disable=SC2064
    trap "podman rm -f -t 0 '$name' >/dev/null 2>&1 || true" EXIT
    start=$SECONDS
    podman run -d --name "$name" --systemd=always "$WEBSTACK_HOST_IMAGE" /sbin/init >/dev/null
    while [ $((SECONDS - start)) -lt "$SMOKE_TIMEOUT" ]; do
        state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
        case "$state" in
            running | degraded) break ;;
        esac
        sleep 1
    done
    waited=$((SECONDS - start))
    case "$state" in
        running)
            log "systemd in $WEBSTACK_HOST_IMAGE: $state after ${waited}s" ;;
        degraded)
            log "systemd in $WEBSTACK_HOST_IMAGE: $state after ${waited}s; failed units:"
            podman exec "$name" systemctl --failed --no-legend --plain || true ;;
        *)
            podman logs "$name" 2>&1 | tail -n 20 >&2 || true
            die "systemd in $WEBSTACK_HOST_IMAGE: '${state:-no answer}' after ${waited}s" ;;
    esac
}

cmd_clean() {
    if podman image exists "$WEBSTACK_HOST_IMAGE"; then
        # No -f: a container that still uses the image (a running molecule test) makes this fail.
        podman rmi "$WEBSTACK_HOST_IMAGE" >/dev/null
        log "removed $WEBSTACK_HOST_IMAGE"
    else
        log "$WEBSTACK_HOST_IMAGE does not exist"
    fi
}

case "${1:-}" in
    build) cmd_build ;;
    smoke) cmd_smoke ;;
    clean) cmd_clean ;;
    *) echo "usage: $0 build|smoke|clean" >&2; exit 2 ;;
esac
