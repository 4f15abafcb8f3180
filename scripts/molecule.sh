#!/usr/bin/env bash
# Run molecule scenarios (molecule/<name>/) one at a time, from the repository root.
#   scripts/molecule.sh              every scenario under molecule/
#   scripts/molecule.sh common ...   only these
# Prints "molecule <name>: passed|failed (<seconds>s)" per scenario; exits 1 if any failed.
# A lock keeps concurrent callers from running two scenarios at once (2 cores).
set -euo pipefail
# shellcheck source=scripts/lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

"$WEBSTACK_ROOT/scripts/setup.sh" --hosts
cd "$WEBSTACK_ROOT"

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
    for dir in molecule/*/; do
        [ -f "$dir/molecule.yml" ] && scenarios+=("$(basename "$dir")")
    done
fi
[ ${#scenarios[@]} -gt 0 ] || { echo "[molecule] no scenarios under molecule/" >&2; exit 1; }

mkdir -p "$WEBSTACK_STATE"
exec 9>"$WEBSTACK_STATE/molecule.lock"
if ! flock -n 9; then
    echo "[molecule] another molecule run holds $WEBSTACK_STATE/molecule.lock; waiting" >&2
    flock 9
fi

rc=0
summary=()
for name in "${scenarios[@]}"; do
    start=$SECONDS
    if [ ! -f "molecule/$name/molecule.yml" ]; then
        echo "[molecule] no such scenario: molecule/$name/molecule.yml" >&2
        result=failed
    elif molecule test -s "$name"; then
        result=passed
    else
        result=failed
    fi
    [ "$result" = passed ] || rc=1
    line="molecule $name: $result ($((SECONDS - start))s)"
    summary+=("$line")
    echo "$line"
done
if [ ${#summary[@]} -gt 1 ]; then
    printf '%s\n' "${summary[@]}"
fi
exit "$rc"
