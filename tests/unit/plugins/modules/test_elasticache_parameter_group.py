"""elasticache_parameter_group with botocore's Stubber: moto (5.2.5) lacks
Create/Describe/ModifyCacheParameterGroup(s), DescribeCacheParameters and
DescribeEngineDefaultParameters for ElastiCache, so every AWS answer here is stubbed with the
shapes of the real API, and the Stubber fails the test on any call that was not expected (so a
write that should not happen cannot go unnoticed)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.webstack.aws.plugins.modules import elasticache_parameter_group

REGION = "ap-southeast-1"
NAME = "t-production-redis7"
ARN = "arn:aws:elasticache:ap-southeast-1:123456789012:parametergroup:%s" % NAME
PARAMETERS = {"maxmemory-policy": "allkeys-lru", "timeout": 300, "tcp-keepalive": 60}
DEFINITIONS = [
    {"ParameterName": "maxmemory-policy", "ParameterValue": "volatile-lru", "DataType": "string",
     "AllowedValues": "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,"
                      "noeviction", "IsModifiable": True, "ChangeType": "immediate"},
    {"ParameterName": "timeout", "ParameterValue": "0", "DataType": "integer", "AllowedValues": "0,20-",
     "IsModifiable": True, "ChangeType": "immediate"},
    {"ParameterName": "tcp-keepalive", "ParameterValue": "300", "DataType": "integer", "AllowedValues": "0-",
     "IsModifiable": True, "ChangeType": "immediate"},
    {"ParameterName": "databases", "ParameterValue": "16", "DataType": "integer", "AllowedValues": "1-1200000",
     "IsModifiable": True, "ChangeType": "requires-reboot"},
    {"ParameterName": "hash-max-listpack-entries", "ParameterValue": "128", "DataType": "integer",
     "AllowedValues": "0-", "IsModifiable": True, "ChangeType": "immediate"},
    {"ParameterName": "appendonly", "ParameterValue": "no", "DataType": "string", "AllowedValues": "yes,no",
     "IsModifiable": False, "ChangeType": "immediate"},
]
GROUP = {"CacheParameterGroupName": NAME, "CacheParameterGroupFamily": "redis7", "Description": "d", "IsGlobal": False,
         "ARN": ARN}
TAGS = [{"Key": "Project", "Value": "t"}, {"Key": "Environment", "Value": "production"}]


@pytest.fixture
def stub(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("elasticache", region_name=REGION)

    def fake_client(self, service, retry_decorator=None):
        assert service == "elasticache"
        return RetryingBotoClientWrapper(client, retry_decorator)

    monkeypatch.setattr(elasticache_parameter_group.AnsibleAWSModule, "client", fake_client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def run(capsys, check_mode=False, **overrides):
    module_args = {"name": NAME, "family": "redis7", "parameters": PARAMETERS, "region": REGION,
                   "tags": {"Project": "t", "Environment": "production"}}
    module_args.update(overrides)
    if check_mode:
        module_args["_ansible_check_mode"] = True
    with patch_module_args(module_args):
        with pytest.raises(SystemExit):
            elasticache_parameter_group.main()
    return json.loads(capsys.readouterr().out)


def expect_missing_group(stub):
    stub.add_client_error("describe_cache_parameter_groups", service_error_code="CacheParameterGroupNotFound",
                          http_status_code=404, expected_params={"CacheParameterGroupName": NAME})


def expect_existing_group(stub, user_values, tags=None):
    stub.add_response("describe_cache_parameter_groups", {"CacheParameterGroups": [GROUP]},
                      {"CacheParameterGroupName": NAME})
    stub.add_response("describe_cache_parameters",
                      {"Parameters": [{"ParameterName": k, "ParameterValue": v, "Source": "user"}
                                      for k, v in user_values.items()]},
                      {"CacheParameterGroupName": NAME, "Source": "user"})
    stub.add_response("list_tags_for_resource", {"TagList": TAGS if tags is None else tags}, {"ResourceName": ARN})


def expect_definitions(stub):
    stub.add_response("describe_engine_default_parameters",
                      {"EngineDefaults": {"CacheParameterGroupFamily": "redis7", "Parameters": DEFINITIONS}},
                      {"CacheParameterGroupFamily": "redis7"})


def test_creates_the_group_with_the_guides_parameters(stub, capsys):
    expect_missing_group(stub)
    expect_definitions(stub)
    stub.add_response("create_cache_parameter_group", {"CacheParameterGroup": GROUP},
                      {"CacheParameterGroupName": NAME, "CacheParameterGroupFamily": "redis7", "Description": ANY,
                       "Tags": TAGS})
    stub.add_response("modify_cache_parameter_group", {"CacheParameterGroupName": NAME},
                      {"CacheParameterGroupName": NAME, "ParameterNameValues": [
                          {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
                          {"ParameterName": "tcp-keepalive", "ParameterValue": "60"},
                          {"ParameterName": "timeout", "ParameterValue": "300"}]})
    result = run(capsys)
    assert result["changed"] is True
    assert result["arn"] == ARN
    assert result["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300", "tcp-keepalive": "60"}
    assert result["actions"] == ["create cache parameter group %s (redis7)" % NAME,
                                 "set maxmemory-policy, tcp-keepalive, timeout in cache parameter group %s" % NAME]


def test_converged_group_makes_three_reads_and_no_write(stub, capsys):
    expect_existing_group(stub, {"maxmemory-policy": "allkeys-lru", "timeout": "300", "tcp-keepalive": "60"})
    result = run(capsys)
    assert result["changed"] is False
    assert result["actions"] == []


def test_drifted_parameter_and_tag_are_repaired(stub, capsys):
    expect_existing_group(stub, {"maxmemory-policy": "allkeys-lru", "timeout": "0", "tcp-keepalive": "60"},
                          tags=TAGS + [{"Key": "Owner", "Value": "ops"}])
    expect_definitions(stub)
    stub.add_response("modify_cache_parameter_group", {"CacheParameterGroupName": NAME},
                      {"CacheParameterGroupName": NAME,
                       "ParameterNameValues": [{"ParameterName": "timeout", "ParameterValue": "300"}]})
    stub.add_response("remove_tags_from_resource", {"TagList": TAGS}, {"ResourceName": ARN, "TagKeys": ["Owner"]})
    result = run(capsys)
    assert result["actions"] == ["set timeout in cache parameter group %s" % NAME, "untag %s" % ARN]
    assert result["diff"]["before"]["parameter_group"][NAME]["parameters"]["timeout"] == "0"


def test_check_mode_reports_drift_without_writing(stub, capsys):
    expect_existing_group(stub, {"maxmemory-policy": "volatile-lru", "timeout": "300", "tcp-keepalive": "60"})
    expect_definitions(stub)
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert result["actions"] == ["set maxmemory-policy in cache parameter group %s" % NAME]


@pytest.mark.parametrize("parameters, message", [
    ({"maxmemory-polcy": "allkeys-lru"}, "parameters.maxmemory-polcy: redis7 has no parameter of that name"),
    ({"appendonly": "yes"}, "parameters.appendonly: the engine does not allow changing this parameter"),
    ({"hash-max-listpack-entries": "many"}, "parameters.hash-max-listpack-entries: 'many' is not a whole number"),
])
def test_parameters_are_checked_against_the_family_before_any_write(stub, capsys, parameters, message):
    expect_existing_group(stub, {})
    expect_definitions(stub)
    result = run(capsys, parameters=parameters)
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]


def test_requires_reboot_is_reported(stub, capsys):
    expect_existing_group(stub, {})
    expect_definitions(stub)
    stub.add_response("modify_cache_parameter_group", {"CacheParameterGroupName": NAME},
                      {"CacheParameterGroupName": NAME,
                       "ParameterNameValues": [{"ParameterName": "databases", "ParameterValue": "32"}]})
    result = run(capsys, parameters={"databases": 32})
    assert result["reboot_required"] == ["databases"]


@pytest.mark.parametrize("overrides, message", [
    ({"parameters": {"maxmemory-policy": "most-recent"}}, "parameters.maxmemory-policy: 'most-recent' must be one of"),
    ({"parameters": {"timeout": "five minutes"}}, "parameters.timeout: 'five minutes' is not a whole number"),
    ({"name": "default.redis7"}, "name: default.redis7 is a default group"),
    ({"family": None}, "family: required with state=present"),
])
def test_bad_input_fails_before_any_call(stub, capsys, overrides, message):
    result = run(capsys, **overrides)
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]


def test_family_cannot_change(stub, capsys):
    stub.add_response("describe_cache_parameter_groups",
                      {"CacheParameterGroups": [dict(GROUP, CacheParameterGroupFamily="redis6.x")]},
                      {"CacheParameterGroupName": NAME})
    result = run(capsys)
    assert result["failed"] is True
    assert result["msg"].startswith("family: cache parameter group %s has family redis6.x, not redis7" % NAME)


def test_delete(stub, capsys):
    stub.add_response("describe_cache_parameter_groups", {"CacheParameterGroups": [GROUP]},
                      {"CacheParameterGroupName": NAME})
    stub.add_response("delete_cache_parameter_group", {}, {"CacheParameterGroupName": NAME})
    result = run(capsys, state="absent")
    assert result["actions"] == ["delete cache parameter group %s" % NAME]
    expect_missing_group(stub)
    assert run(capsys, state="absent")["changed"] is False
