# Copy the collection's files (tracked and untracked-but-not-ignored) into a tree whose path
# ends in ansible_collections/webstack/aws, as ansible-test requires.
# shellcheck shell=bash
collection_copy() {
    local dest="$1/ansible_collections/webstack/aws"
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$WEBSTACK_ROOT" && git ls-files -z --cached --others --exclude-standard \
        | xargs -0 -I{} sh -c '[ -e "{}" ] && echo "{}"' \
        | tar -c -T - -f -) | tar -x -C "$dest"
    echo "$dest"
}
