# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the cache tier, shared by the ElastiCache modules and the
cache_input_errors filter (which the cache role runs before any API call).

Every function returns a list of messages; each message starts with the name of the bad
variable (or module option).
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.database_spec import secret_name_errors
from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import CACHE_NODE_RE
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import as_int
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import id_list_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import identifier_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import int_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import parameter_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import window_errors

ENGINES = ("redis", "valkey")
EVICTION_POLICIES = ["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random",
                     "allkeys-random", "volatile-ttl", "noeviction"]
PARAMETER_TYPES = {
    "maxmemory-policy": ("choice", EVICTION_POLICIES),
    "timeout": ("int", 0, 2147483647),
    "tcp-keepalive": ("int", 0, 2147483647),
    "maxmemory-samples": ("int", 1, 64),
    "databases": ("int", 1, 1200000),
    "notify-keyspace-events": ("choice", None),
    "cluster-enabled": ("choice", ["yes", "no"]),
    "activedefrag": ("choice", ["yes", "no"]),
    "lazyfree-lazy-eviction": ("choice", ["yes", "no"]),
}
# notify-keyspace-events takes any combination of letters; only scalar-ness is checked for it.
del PARAMETER_TYPES["notify-keyspace-events"]


def node_type_errors(label, value):
    if not isinstance(value, str) or not CACHE_NODE_RE.match(value):
        return ["%s: %r is not an ElastiCache node type of the form cache.<family>.<size>, such as cache.t3.micro"
                % (label, value)]
    return []


def cache_version_errors(label, engine, version, family_label=None, family=None):
    if not isinstance(version, str) or not re.match(r"^[0-9]+(\.[0-9]+){0,2}$", version):
        return ["%s: %r is not an engine version such as 7.0 or 7.1" % (label, version)]
    if family:
        major = version.split(".")[0]
        expected = ("%s%s" % (engine, major)) if int(major) >= 7 else ("redis%s.x" % major)
        if family != expected:
            return ["%s: %s %s belongs to parameter group family %s, not %s %s"
                    % (family_label, engine, version, expected, family_label, family)]
    return []


def topology_errors(labels, replicas, automatic_failover, multi_az):
    """Replica count, automatic failover and Multi-AZ that ElastiCache accepts together."""
    errors = int_errors(labels["replicas"], replicas, 0, 5)
    if errors:
        return errors
    replicas = as_int(replicas)
    if automatic_failover and replicas < 1:
        errors.append("%s: automatic failover (%s) needs at least one replica"
                      % (labels["replicas"], labels["automatic_failover"]))
    if multi_az and not automatic_failover:
        errors.append("%s: Multi-AZ needs %s: true" % (labels["multi_az"], labels["automatic_failover"]))
    return errors


def cache_input_errors(settings):
    """Check the cache role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("cache_project", settings.get("cache_project"))
    errors += name_errors("cache_environment", settings.get("cache_environment"))
    engine = settings.get("cache_engine")
    if engine not in ENGINES:
        errors.append("cache_engine: %r is not one of %s" % (engine, ", ".join(ENGINES)))
        return errors
    errors += identifier_errors("cache_replication_group_id", settings.get("cache_replication_group_id"), 40)
    errors += node_type_errors("cache_node_type", settings.get("cache_node_type"))
    family = settings.get("cache_parameter_group_family") if settings.get("cache_manage_parameter_group") else None
    errors += cache_version_errors("cache_engine_version", engine, settings.get("cache_engine_version"),
                                   "cache_parameter_group_family", family)
    errors += topology_errors({"replicas": "cache_replicas", "automatic_failover": "cache_automatic_failover",
                               "multi_az": "cache_multi_az"},
                              settings.get("cache_replicas"), settings.get("cache_automatic_failover"),
                              settings.get("cache_multi_az"))
    errors += int_errors("cache_snapshot_retention", settings.get("cache_snapshot_retention"), 0, 35)
    errors += window_errors("cache_snapshot_window", settings.get("cache_snapshot_window"),
                            "cache_maintenance_window", settings.get("cache_maintenance_window"),
                            daily_min=60, weekly_min=60)
    errors += int_errors("cache_port", settings.get("cache_port"), 1, 65535)
    errors += id_list_errors("cache_subnet_ids", settings.get("cache_subnet_ids"), "subnet")
    errors += id_list_errors("cache_security_group_ids", settings.get("cache_security_group_ids"), "sg")
    if settings.get("cache_transit_encryption"):
        errors += secret_name_errors("cache_secret_name", settings.get("cache_secret_name"))
    if settings.get("cache_manage_parameter_group"):
        errors += identifier_errors("cache_parameter_group_name", settings.get("cache_parameter_group_name"), 255)
    errors += parameter_errors("cache_parameters", settings.get("cache_parameters"), PARAMETER_TYPES)
    if settings.get("cache_kms_key_id") and not settings.get("cache_at_rest_encryption"):
        errors.append("cache_kms_key_id: a KMS key needs cache_at_rest_encryption: true")
    return errors
