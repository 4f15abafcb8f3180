"""wafv2_web_acl_set against moto in-process (mock_aws): the guide's web ACL (common and SQLi
managed rules, 1000 requests per 5 minutes per IP, an admin allow-list, a geo restriction),
associated with an ALB through GetWebACLForResource/AssociateWebACL, a converged re-run, drift of
the rate limit and of the allow-list, check mode, and delete."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import wafv2_web_acl_set

REGION = "ap-southeast-1"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone=REGION + az)["Subnet"]["SubnetId"]
                   for i, az in ((1, "a"), (2, "b"))]
        alb = boto3.client("elbv2", region_name=REGION).create_load_balancer(Name="t-alb", Subnets=subnets)
        yield {"waf": boto3.client("wafv2", region_name=REGION), "alb": alb["LoadBalancers"][0]["LoadBalancerArn"]}


def guide_args(aws, **overrides):
    args = {
        "name": "t-waf", "region": REGION,
        "managed_rule_groups": [{"name": "AWSManagedRulesCommonRuleSet"}, {"name": "AWSManagedRulesSQLiRuleSet"}],
        "rate_limit": {"limit": 1000, "window": 300},
        "path_allow_lists": [{"name": "admin", "path": "/admin", "addresses": ["203.0.113.0/24", "2001:db8::/32"]}],
        "geo_allow_countries": ["SG", "TH"],
        "resource_arns": [aws["alb"]],
        "tags": {"Project": "t"},
    }
    args.update(overrides)
    return args


def run(capsys, args, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            wafv2_web_acl_set.main()
    return json.loads(capsys.readouterr().out)


def the_acl(aws):
    [summary] = aws["waf"].list_web_acls(Scope="REGIONAL")["WebACLs"]
    return aws["waf"].get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]


def test_creates_the_guides_web_acl_and_associates_it(aws, capsys):
    result = run(capsys, guide_args(aws))
    assert result["changed"] is True
    acl = the_acl(aws)
    rules = {r["Name"]: r for r in acl["Rules"]}
    assert [r["Name"] for r in sorted(acl["Rules"], key=lambda r: r["Priority"])] == [
        "geo-restriction", "admin-allow-list", "rate-limit", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]
    rate = rules["rate-limit"]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"], rate["AggregateKeyType"]) == (1000, 300, "IP")
    assert rules["rate-limit"]["Action"] == {"Block": {}}
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"):
        assert rules[group]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": group}
        assert rules[group]["OverrideAction"] == {"None": {}}
    geo = rules["geo-restriction"]["Statement"]["NotStatement"]["Statement"]["GeoMatchStatement"]
    assert geo["CountryCodes"] == ["SG", "TH"]
    admin = rules["admin-allow-list"]["Statement"]["AndStatement"]["Statements"]
    assert admin[0]["ByteMatchStatement"]["PositionalConstraint"] == "STARTS_WITH"
    references = admin[1]["NotStatement"]["Statement"]["OrStatement"]["Statements"]
    assert sorted(r["IPSetReferenceStatement"]["ARN"] for r in references) == sorted(result["ip_sets"].values())
    ip_sets = {s["Name"]: s for s in aws["waf"].list_ip_sets(Scope="REGIONAL")["IPSets"]}
    v4 = aws["waf"].get_ip_set(Name="t-waf-admin-ipv4", Scope="REGIONAL", Id=ip_sets["t-waf-admin-ipv4"]["Id"])["IPSet"]
    assert v4["Addresses"] == ["203.0.113.0/24"]
    assert aws["waf"].get_web_acl_for_resource(ResourceArn=aws["alb"])["WebACL"]["ARN"] == result["web_acl"]["arn"]


def test_rerun_changes_nothing(aws, capsys):
    run(capsys, guide_args(aws))
    second = run(capsys, guide_args(aws))
    assert second["changed"] is False, second["actions"]
    check = run(capsys, guide_args(aws), check_mode=True)
    assert check["changed"] is False


def test_changed_limit_and_allow_list_update_in_place(aws, capsys):
    first = run(capsys, guide_args(aws))
    args = guide_args(aws, rate_limit={"limit": 2000, "window": 300},
                      path_allow_lists=[{"name": "admin", "path": "/admin", "addresses": ["198.51.100.0/24", "2001:db8::/32"]}])
    result = run(capsys, args)
    assert result["actions"] == ["update addresses of IP set t-waf-admin-ipv4", "update web ACL t-waf"]
    assert result["web_acl"]["arn"] == first["web_acl"]["arn"]
    rate = {r["Name"]: r for r in the_acl(aws)["Rules"]}["rate-limit"]["Statement"]["RateBasedStatement"]
    assert rate["Limit"] == 2000
    assert run(capsys, args)["changed"] is False


def test_check_mode_creates_nothing(aws, capsys):
    result = run(capsys, guide_args(aws), check_mode=True)
    assert result["changed"] is True
    assert aws["waf"].list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert aws["waf"].list_ip_sets(Scope="REGIONAL")["IPSets"] == []


def test_absent_disassociates_and_deletes(aws, capsys):
    run(capsys, guide_args(aws))
    gone = run(capsys, guide_args(aws, state="absent"))
    assert gone["changed"] is True
    assert aws["waf"].list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert aws["waf"].list_ip_sets(Scope="REGIONAL")["IPSets"] == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"rate_limit": {"limit": 5}}, "rate_limit.limit: 5 must be 10-2000000000"),
    ({"geo_allow_countries": ["Singapore"]}, "geo_allow_countries[0]: 'Singapore' is not a two-letter country code"),
    ({"geo_block_countries": ["RU"]}, "give either geo_allow_countries or geo_block_countries"),
    ({"path_allow_lists": [{"name": "admin", "path": "/admin", "addresses": ["10.0.0.300/32"]}]},
     "path_allow_lists[0].addresses[0]"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, fragment):
    result = run(capsys, guide_args(aws, **overrides))
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws["waf"].list_web_acls(Scope="REGIONAL")["WebACLs"] == []
