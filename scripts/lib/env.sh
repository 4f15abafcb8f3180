# Sourced by every script of this project: one place for paths and settings.
# shellcheck shell=bash
WEBSTACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export WEBSTACK_ROOT
export WEBSTACK_VENV="${WEBSTACK_VENV:-$WEBSTACK_ROOT/.venv}"
export WEBSTACK_STATE="${WEBSTACK_STATE:-$WEBSTACK_ROOT/.local}"
export PATH="$WEBSTACK_VENV/bin:$PATH"
export ANSIBLE_CONFIG="$WEBSTACK_ROOT/ansible.cfg"
# The local AWS (moto in server mode) listens on loopback only.
export LOCAL_AWS_HOST="${LOCAL_AWS_HOST:-127.0.0.1}"
export LOCAL_AWS_PORT="${LOCAL_AWS_PORT:-4566}"
export LOCAL_AWS_URL="http://$LOCAL_AWS_HOST:$LOCAL_AWS_PORT"
# Podman settings measured to work on this kind of machine (runc, cgroupfs, ulimits).
export CONTAINERS_CONF="$WEBSTACK_ROOT/scripts/podman/containers.conf"
export WEBSTACK_HOST_IMAGE="${WEBSTACK_HOST_IMAGE:-localhost/webstack-debian12:latest}"
