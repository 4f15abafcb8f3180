# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM and resource policy documents: load them in any of the forms AWS hands them back
(a dict, a JSON string, a URL-encoded JSON string as IAM's query API returns) and compare them
by meaning rather than by text (statement, action and resource order do not matter; a single
value equals a one-element list), so that a converged policy is never rewritten."""

from __future__ import annotations

import json
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies


def load_policy(document):
    """Return the policy as a dict (None stays None). Accepts a dict, JSON or URL-encoded JSON."""
    if document is None or isinstance(document, dict):
        return document
    text = document.decode("utf-8") if isinstance(document, bytes) else str(document)
    text = text.strip()
    if not text:
        return None
    if not text.startswith("{"):
        text = unquote(text)
    return json.loads(text)


def policies_equal(current, desired):
    """True when both documents grant the same thing (semantic comparison)."""
    current = load_policy(current)
    desired = load_policy(desired)
    if current is None or desired is None:
        return current is None and desired is None
    return not compare_policies(current, desired, default_version=None)


def dump_policy(document):
    """The compact JSON text sent to AWS (keys sorted, so that a diff is stable)."""
    return json.dumps(load_policy(document), sort_keys=True, separators=(",", ":"))
