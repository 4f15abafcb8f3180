#!/usr/bin/env bash
# One idempotent setup step for everything this project needs: Debian packages, the
# project-local virtualenv from the pinned requirements, and the collection linked under its
# FQCN. Both README commands call it; a second call does nothing that is already done.
#   scripts/setup.sh           controller only (venv, collection link)
#   scripts/setup.sh --hosts   also what the tests need: podman and the local host image (for
#                              molecule), shellcheck (for ansible-test sanity)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
want_hosts=false
[ "${1:-}" = "--hosts" ] && want_hosts=true

log() { printf '[setup] %s\n' "$*"; }

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install python3-venv git curl ca-certificates
if $want_hosts; then
    apt_install podman runc debootstrap netavark aardvark-dns slirp4netns \
        containernetworking-plugins fuse-overlayfs uidmap iptables shellcheck
fi

# The venv is rebuilt only when requirements.txt changes.
stamp="$WEBSTACK_VENV/.requirements.sha256"
want=$(sha256sum "$WEBSTACK_ROOT/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$WEBSTACK_VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "building the virtualenv in $WEBSTACK_VENV"
    python3 -m venv "$WEBSTACK_VENV"
    # This machine's pip.conf lists local wheel folders that may be absent; pip warns for each.
    "$WEBSTACK_VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
    "$WEBSTACK_VENV/bin/pip" install -q -r "$WEBSTACK_ROOT/requirements.txt" 2>&1 \
        | grep -v '^WARNING: Location' || true
    "$WEBSTACK_VENV/bin/python" -c "import ansible, boto3, moto, molecule" \
        || { echo "[setup] the virtualenv is incomplete" >&2; exit 1; }
    echo "$want" > "$stamp"
fi

# ansible-playbook, molecule and ansible-test all find webstack.aws through this link.
link="$WEBSTACK_ROOT/.ansible/collections/ansible_collections/webstack/aws"
mkdir -p "$(dirname "$link")"
if [ "$(readlink "$link" 2>/dev/null)" != "$WEBSTACK_ROOT" ]; then
    rm -rf "$link"
    ln -s "$WEBSTACK_ROOT" "$link"
fi

if $want_hosts; then
    # The AWS CLI reads the provisioned state back in the tests. It lives in a venv of its own:
    # awscli pins its own botocore and docutils, which would clash with the main venv's.
    awscli_venv="$WEBSTACK_STATE/awscli-venv"
    if [ ! -x "$awscli_venv/bin/aws" ]; then
        log "installing the AWS CLI into $awscli_venv"
        python3 -m venv "$awscli_venv"
        "$awscli_venv/bin/pip" install -q awscli==1.46.3 2>&1 | grep -v '^WARNING: Location' || true
    fi
    "$WEBSTACK_ROOT/scripts/local-hosts.sh" build
fi
log "ready"
