#!/usr/bin/env bash
# Every test of the project, from a fresh clone on a fresh machine: set up (Debian packages,
# venv, host image), then one pytest run that holds the unit tests, the playbook tests against
# the local AWS, the quality gates (ansible-lint, ansible-test sanity, galaxy build, ansible-doc)
# and the molecule scenarios. It ends with pytest's summary line.
# Arguments go to pytest (e.g. -k network, -m "not molecule").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
"$WEBSTACK_ROOT/scripts/setup.sh" --hosts
cd "$WEBSTACK_ROOT"
# Two workers (the machine has two cores; most of a test's time is spent waiting on ansible
# subprocesses and containers). --dist loadscope keeps a test module on one worker, so its
# module-scoped local AWS and converged stack are built once; molecule scenarios queue on the
# lock that scripts/molecule.sh takes.
exec python -m pytest tests -v -p no:cacheprovider -n "${WEBSTACK_TEST_WORKERS:-2}" --dist loadscope --no-loadscope-reorder "$@"
