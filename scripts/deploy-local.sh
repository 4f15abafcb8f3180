#!/usr/bin/env bash
# The main job on the embedded default: set up (once), start the local AWS, provision the
# stack with the same playbook that runs against real AWS, and print the stack's outputs.
# Extra arguments go to ansible-playbook (e.g. --check --diff, --tags network).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
"$WEBSTACK_ROOT/scripts/setup.sh"
"$WEBSTACK_ROOT/scripts/local-aws.sh" start
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-$LOCAL_AWS_URL}"
cd "$WEBSTACK_ROOT"
exec ansible-playbook -i inventories/local playbooks/infrastructure.yml "$@"
