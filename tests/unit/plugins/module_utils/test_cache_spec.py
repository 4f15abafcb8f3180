"""The cache tier's input checks (cache_spec): the guide's defaults pass, and each kind of bad
input yields a message that names the variable."""

from __future__ import annotations

import pytest

from ansible_collections.webstack.aws.plugins.module_utils.cache_spec import cache_input_errors

GUIDE = {
    "cache_project": "innobic", "cache_environment": "production", "cache_engine": "redis",
    "cache_engine_version": "7.0", "cache_replication_group_id": "innobic-production-redis",
    "cache_node_type": "cache.t3.micro", "cache_replicas": 1, "cache_automatic_failover": True,
    "cache_multi_az": True, "cache_port": 6379, "cache_at_rest_encryption": True, "cache_kms_key_id": "",
    "cache_transit_encryption": True, "cache_secret_name": "innobic/production/redis",
    "cache_manage_parameter_group": True, "cache_parameter_group_name": "innobic-production-redis7",
    "cache_parameter_group_family": "redis7",
    "cache_parameters": {"maxmemory-policy": "allkeys-lru", "timeout": 300, "tcp-keepalive": 60},
    "cache_snapshot_retention": 5, "cache_snapshot_window": "03:00-05:00",
    "cache_maintenance_window": "sun:05:00-sun:06:00", "cache_subnet_ids": ["subnet-0a1", "subnet-0b2"],
    "cache_security_group_ids": ["sg-0c3"],
}


def errors(**overrides):
    settings = dict(GUIDE)
    settings.update(overrides)
    return cache_input_errors(settings)


def test_the_guides_defaults_pass():
    assert errors() == []


@pytest.mark.parametrize("overrides, expected", [
    ({"cache_node_type": "t3.micro"}, "cache_node_type: 't3.micro' is not an ElastiCache node type"),
    ({"cache_node_type": "cache.t3"}, "cache_node_type: 'cache.t3'"),
    ({"cache_node_type": "db.t3.micro"}, "cache_node_type: 'db.t3.micro'"),
    ({"cache_snapshot_retention": 36}, "cache_snapshot_retention: 36 is out of range (0-35)"),
    ({"cache_maintenance_window": "sun:04:00-sun:05:00"}, "cache_snapshot_window: 03:00-05:00 overlaps "
                                                          "cache_maintenance_window"),
    ({"cache_maintenance_window": "sun:05:00-sun:05:30"}, "cache_maintenance_window: sun:05:00-sun:05:30 must last "
                                                          "at least 60 minutes"),
    ({"cache_replicas": 0}, "cache_replicas: automatic failover (cache_automatic_failover) needs at least one replica"),
    ({"cache_replicas": 6}, "cache_replicas: 6 is out of range (0-5)"),
    ({"cache_automatic_failover": False}, "cache_multi_az: Multi-AZ needs cache_automatic_failover: true"),
    ({"cache_engine": "memcached"}, "cache_engine: 'memcached' is not one of redis, valkey"),
    ({"cache_engine_version": "6.2"}, "cache_parameter_group_family: redis 6.2 belongs to parameter group family "
                                      "redis6.x"),
    ({"cache_parameters": {"timeout": "five minutes"}}, "cache_parameters.timeout: 'five minutes' is not a whole number"),
    ({"cache_parameters": {"maxmemory-policy": "lru"}}, "cache_parameters.maxmemory-policy: 'lru' must be one of"),
    ({"cache_parameters": {"tcp-keepalive": -1}}, "cache_parameters.tcp-keepalive: -1 is out of range"),
    ({"cache_replication_group_id": "innobic-production-redis-" + "x" * 20}, "cache_replication_group_id: "),
    ({"cache_subnet_ids": []}, "cache_subnet_ids: needs at least 1 id, got 0"),
    ({"cache_security_group_ids": ["redis"]}, "cache_security_group_ids[0]: 'redis' is not a sg-... id"),
    ({"cache_at_rest_encryption": False, "cache_kms_key_id": "alias/x"}, "cache_kms_key_id: a KMS key needs"),
])
def test_bad_input_names_the_variable(overrides, expected):
    found = errors(**overrides)
    assert any(message.startswith(expected) for message in found), found


def test_family_is_only_checked_when_the_group_is_managed():
    assert errors(cache_manage_parameter_group=False, cache_parameter_group_family="redis6.x") == []
