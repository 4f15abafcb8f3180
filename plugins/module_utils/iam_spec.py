# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the IAM tier, shared by the iam_role_set module and the iam_input_errors
filter (which the iam role runs before any API call). Every message starts with the name of
the bad variable or option."""

from __future__ import annotations

import json
import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import app_errors
from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import bucket_name_errors

ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
PROFILE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")
IAM_PATH_RE = re.compile(r"^/([\x21-\x7e]{0,510}/)?$")
MANAGED_POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")
MAX_SESSION_RANGE = (3600, 43200)


def role_name_errors(label, value):
    if not isinstance(value, str) or not ROLE_NAME_RE.match(value):
        return ["%s: %r must be 1-64 letters, digits or +=,.@_-" % (label, value)]
    return []


def profile_name_errors(label, value):
    if not isinstance(value, str) or not PROFILE_NAME_RE.match(value):
        return ["%s: %r must be 1-128 letters, digits or +=,.@_-" % (label, value)]
    return []


def path_errors(label, value):
    if not isinstance(value, str) or not IAM_PATH_RE.match(value):
        return ["%s: %r must start and end with / (for example /service-role/)" % (label, value)]
    return []


def managed_policy_errors(label, arns):
    errors = []
    if not isinstance(arns, list):
        return ["%s: must be a list of policy ARNs" % label]
    for index, arn in enumerate(arns):
        if not isinstance(arn, str) or not MANAGED_POLICY_ARN_RE.match(arn):
            errors.append("%s[%d]: %r is not a managed policy ARN such as "
                          "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" % (label, index, arn))
    return errors


def policy_document_errors(label, document):
    """A policy must be JSON with a Statement list (or object) whose entries have an Effect."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            return ["%s: not valid JSON (%s)" % (label, exc)]
    if not isinstance(document, dict):
        return ["%s: must be a policy document (a dictionary with Version and Statement)" % label]
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return ["%s: needs at least one Statement" % label]
    errors = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            errors.append("%s.Statement[%d]: needs Effect Allow or Deny" % (label, index))
    return errors


def iam_input_errors(settings):
    """Check the iam role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("iam_project", settings.get("iam_project"))
    errors += name_errors("iam_environment", settings.get("iam_environment"))
    errors += app_errors("iam_app", settings.get("iam_app"))
    for var in ("iam_instance_role_name", "iam_codedeploy_role_name"):
        errors += role_name_errors(var, settings.get(var))
    errors += profile_name_errors("iam_instance_profile_name", settings.get("iam_instance_profile_name"))
    errors += path_errors("iam_role_path", settings.get("iam_role_path", "/"))
    for var in ("iam_files_bucket_name", "iam_artifacts_bucket_name", "iam_backups_bucket_name"):
        if settings.get(var):  # empty: that statement is left out
            errors += bucket_name_errors(var, settings[var])
    for var in ("iam_instance_managed_policies", "iam_codedeploy_managed_policies"):
        errors += managed_policy_errors(var, settings.get(var) or [])
    prefix = settings.get("iam_secrets_name_prefix")
    if not isinstance(prefix, str) or not re.match(r"^[A-Za-z0-9/_+=.@-]+$", prefix or ""):
        errors.append("iam_secrets_name_prefix: %r must be a Secrets Manager name prefix such as innobic/production/"
                      % prefix)
    path = settings.get("iam_parameter_path")
    if not isinstance(path, str) or not re.match(r"^/[A-Za-z0-9/_.-]+[^/]$", path or ""):
        errors.append("iam_parameter_path: %r must be an SSM parameter path such as /innobic/production" % path)
    duration = settings.get("iam_max_session_duration", 3600)
    if not isinstance(duration, int) or not MAX_SESSION_RANGE[0] <= duration <= MAX_SESSION_RANGE[1]:
        errors.append("iam_max_session_duration: %r must be between %d and %d seconds" % ((duration,) + MAX_SESSION_RANGE))
    return errors
