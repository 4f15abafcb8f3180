# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparing what a module wants with what an AWS API answered, for the edge and compute
modules: a recursive "desired is contained in current" test that tolerates the defaults AWS
adds to its answers, order-insensitive comparison of the lists that AWS keeps as sets, and tag
reconciliation for the services whose tag APIs are not EC2's.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def plain(value):
    """bytes -> str (boto3 answers blobs as bytes), recursively; everything else unchanged."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def contains(current, desired):
    """True when every key of desired has the same value in current.

    Dicts: each key of desired must match in current (keys that only current has are the
    defaults AWS fills in and are not compared; a key that current lacks is reported by
    missing_keys() and treated as unknown, see there). Lists: same length and pairwise
    contained, so order matters; callers sort the lists that AWS treats as sets first.
    Scalars: equal after bytes are decoded.
    """
    current = plain(current)
    desired = plain(desired)
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(contains(current[key], value) for key, value in desired.items() if key in current)
    if isinstance(desired, list):
        if not isinstance(current, list) or len(current) != len(desired):
            return False
        return all(contains(c, d) for c, d in zip(current, desired))
    return current == desired


def missing_keys(current, desired, path=""):
    """The paths of the keys that desired has and current lacks (an incomplete answer)."""
    current = plain(current)
    desired = plain(desired)
    found = []
    if isinstance(desired, dict) and isinstance(current, dict):
        for key, value in desired.items():
            where = "%s.%s" % (path, key) if path else key
            if key not in current:
                found.append(where)
            else:
                found += missing_keys(current[key], value, where)
    elif isinstance(desired, list) and isinstance(current, list) and len(desired) == len(current):
        for index, (c, d) in enumerate(zip(current, desired)):
            found += missing_keys(c, d, "%s[%d]" % (path, index))
    return found


def tag_changes(current, desired, purge_tags):
    """(tags to set as a dict, keys to remove) to bring current to desired; aws:* stay."""
    if desired is None:
        return {}, []
    to_set, to_unset = compare_aws_tags(current or {}, desired, purge_tags=purge_tags)
    return to_set, list(to_unset)


def merged_tags(current, to_set, to_unset):
    result = {k: v for k, v in (current or {}).items() if k not in to_unset}
    result.update(to_set)
    return result


def boto3_tags(tags):
    return ansible_dict_to_boto3_tag_list(tags or {})


def drop_empty(value):
    """Remove None values from a dict (recursively), for building API parameters."""
    if isinstance(value, dict):
        return {k: drop_empty(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_empty(v) for v in value]
    return value
