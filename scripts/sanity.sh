#!/usr/bin/env bash
# ansible-test sanity on the collection. ansible-test wants the collection at a path ending in
# ansible_collections/webstack/aws, with its dependencies beside it, and bootstraps pip from a
# host that is unreachable here; this script arranges all three. Extra arguments go to
# ansible-test sanity (e.g. --test pylint).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
source "$WEBSTACK_ROOT/scripts/lib/collection-copy.sh"

core_version=$(sed -n 's/^ansible-core==//p' "$WEBSTACK_ROOT/requirements.txt")
sanity_venv="$WEBSTACK_STATE/sanity-venv"
if [ ! -x "$sanity_venv/bin/ansible-test" ]; then
    python3 -m venv "$sanity_venv"
    mapfile -t aws_sdk < <(grep -E '^(boto3|botocore)==' "$WEBSTACK_ROOT/requirements.txt")
    "$sanity_venv/bin/pip" install -q "ansible-core==$core_version" "${aws_sdk[@]}"
fi
# The pip bootstrap ansible-test asks for (pip version from its own requirements module).
pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',/\1/p" \
    "$sanity_venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n 1)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
[ -f "$cache" ] || cp "$WEBSTACK_ROOT/scripts/lib/get_pip_offline.py" "$cache"

root="$WEBSTACK_STATE/ansible-test"
dest=$(collection_copy "$root")
site="$WEBSTACK_VENV/lib/python3.11/site-packages/ansible_collections"
ln -sfn "$site/amazon" "$root/ansible_collections/amazon"
ln -sfn "$site/community" "$root/ansible_collections/community"
cd "$dest"
# ansible-test lists a collection's files through git; without a repository it finds none.
git init -q . && git add -A
exec "$sanity_venv/bin/ansible-test" sanity --local --requirements --python 3.11 "$@"
