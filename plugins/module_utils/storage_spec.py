# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the storage tier, shared by the s3_bucket_set module and the
storage_input_errors filter (which the storage role runs before any API call). Every message
starts with the name of the bad variable or option."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors
from ansible_collections.webstack.aws.plugins.module_utils.security_groups_spec import app_errors

BUCKET_CHARS_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
DISTRIBUTION_ARN_RE = re.compile(r"^arn:aws[a-z-]*:cloudfront::\d{12}:distribution/[A-Z0-9]+$")
ORIGIN_RE = re.compile(r"^(https?://[A-Za-z0-9*.-]+(:\d+)?|\*)$")
STORAGE_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
# Objects must stay this many days in S3 Standard before moving to these classes.
MINIMUM_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")


def bucket_name_errors(label, name):
    """S3's bucket naming rules for general purpose buckets."""
    if not isinstance(name, str) or not name:
        return ["%s: a bucket name must not be empty" % label]
    problems = []
    if not 3 <= len(name) <= 63:
        problems.append("must be 3-63 characters long (it has %d)" % len(name))
    if not BUCKET_CHARS_RE.match(name):
        problems.append("may hold only lowercase letters, digits, dots and hyphens, and must start and end "
                        "with a letter or digit")
    if ".." in name or ".-" in name or "-." in name:
        problems.append("must not have two adjacent dots or a dot next to a hyphen")
    try:
        ipaddress.IPv4Address(name)
        problems.append("must not look like an IP address")
    except ValueError:
        pass
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")):
        problems.append("must not start with xn--, sthree- or amzn-s3-demo-")
    if name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")):
        problems.append("must not end with a suffix S3 reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)")
    if problems:
        return ["%s: %r %s" % (label, name, "; ".join(problems))]
    return []


def lifecycle_rule_errors(label, rule):
    """Check one lifecycle rule (the s3_bucket_set option shape)."""
    errors = []
    transitions = rule.get("transitions") or []
    previous = 0
    for index, transition in enumerate(transitions):
        item = "%s.transitions[%d]" % (label, index)
        days = transition.get("days")
        storage_class = transition.get("storage_class")
        if storage_class not in STORAGE_CLASSES:
            errors.append("%s.storage_class: %r must be one of %s" % (item, storage_class, ", ".join(STORAGE_CLASSES)))
        if not isinstance(days, int) or days < 0:
            errors.append("%s.days: %r must be a number of days" % (item, days))
            continue
        if days < MINIMUM_TRANSITION_DAYS.get(storage_class, 0):
            errors.append("%s.days: %s needs at least %d days in S3 Standard first"
                          % (item, storage_class, MINIMUM_TRANSITION_DAYS[storage_class]))
        if days <= previous and index:
            errors.append("%s.days: %d must come after the previous transition (%d days)" % (item, days, previous))
        previous = days
    expiration = rule.get("expiration_days")
    if expiration is not None:
        if not isinstance(expiration, int) or expiration < 1:
            errors.append("%s.expiration_days: %r must be at least 1" % (label, expiration))
        elif transitions and expiration <= previous:
            errors.append("%s.expiration_days: %d must come after the last transition (%d days)"
                          % (label, expiration, previous))
    for key in ("noncurrent_version_expiration_days", "abort_incomplete_multipart_upload_days"):
        value = rule.get(key)
        if value is not None and (not isinstance(value, int) or value < 1):
            errors.append("%s.%s: %r must be at least 1" % (label, key, value))
    return errors


def cors_origin_errors(label, origins):
    errors = []
    if not isinstance(origins, list) or not origins:
        return ["%s: must be a non-empty list of origins such as https://example.com" % label]
    for index, origin in enumerate(origins):
        if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
            errors.append("%s[%d]: %r is not an origin such as https://example.com" % (label, index, origin))
    return errors


def storage_input_errors(settings):
    """Check the storage role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("storage_project", settings.get("storage_project"))
    errors += name_errors("storage_environment", settings.get("storage_environment"))
    errors += app_errors("storage_app", settings.get("storage_app"))
    names = {}
    for var in ("storage_files_bucket_name", "storage_artifacts_bucket_name", "storage_backups_bucket_name",
                "storage_frontend_bucket_name"):
        if var == "storage_frontend_bucket_name" and settings.get("storage_app") != "fastapi":
            continue
        errors += bucket_name_errors(var, settings.get(var))
        if settings.get(var) in names:
            errors.append("%s: %s is also %s" % (var, settings[var], names[settings[var]]))
        names.setdefault(settings.get(var), var)
    errors += cors_origin_errors("storage_files_cors_origins", settings.get("storage_files_cors_origins"))
    for var in ("storage_files_lifecycle", "storage_artifacts_lifecycle", "storage_backups_lifecycle"):
        rule = settings.get(var)
        if not isinstance(rule, dict):
            errors.append("%s: must be a dictionary (transitions, expiration_days, ...)" % var)
            continue
        errors += lifecycle_rule_errors(var, rule)
    role_arn = settings.get("storage_instance_role_arn")
    if role_arn and not ROLE_ARN_RE.match(str(role_arn)):
        errors.append("storage_instance_role_arn: %r is not an IAM role ARN" % role_arn)
    distribution = settings.get("storage_frontend_cloudfront_distribution_arn")
    if distribution and not DISTRIBUTION_ARN_RE.match(str(distribution)):
        errors.append("storage_frontend_cloudfront_distribution_arn: %r is not a CloudFront distribution ARN such as "
                      "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE" % distribution)
    return errors
