"""security_group_set against moto in-process (mock_aws): create the guide's four groups with
references between them, re-run without change, check mode, drifted and foreign rules, rule
descriptions, cycles, egress, delete, and bad input that fails before any call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import security_group_set

REGION = "ap-southeast-1"
ALL_OUT = [{"proto": "all", "cidr_ip": ["0.0.0.0/0"]}]


def groups(web_port=80, ssh=None):
    web_rules = [{"proto": "tcp", "ports": [str(web_port)], "group_name": ["t-alb"], "rule_desc": "From the ALB"}]
    if ssh:
        web_rules.append({"proto": "tcp", "ports": ["22"], "cidr_ip": ssh, "rule_desc": "SSH"})
    return [
        {"name": "t-alb", "description": "alb", "rules_egress": ALL_OUT,
         "rules": [{"proto": "tcp", "ports": ["80", "443"], "cidr_ip": ["0.0.0.0/0"]}]},
        {"name": "t-web", "description": "web", "rules_egress": ALL_OUT, "rules": web_rules},
        {"name": "t-db", "description": "db", "rules_egress": ALL_OUT,
         "rules": [{"proto": "tcp", "ports": ["3306"], "group_name": ["t-web"]}]},
        {"name": "t-redis", "description": "redis", "rules_egress": ALL_OUT,
         "rules": [{"proto": "tcp", "ports": ["6379"], "group_name": ["t-web"]}]},
    ]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def vpc_id(aws):
    return aws.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def run(capsys, vpc_id, check_mode=False, **overrides):
    args = {"vpc_id": vpc_id, "region": REGION, "groups": groups(), "tags": {"Project": "t"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            security_group_set.main()
    return json.loads(capsys.readouterr().out)


def described(aws, vpc_id):
    found = aws.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: g for g in found}


def ingress(group):
    """{(proto, from, to, source)} of a described group."""
    rules = set()
    for perm in group["IpPermissions"]:
        for item in perm.get("IpRanges", []):
            rules.add((perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"), item["CidrIp"]))
        for item in perm.get("UserIdGroupPairs", []):
            rules.add((perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"), item["GroupId"]))
    return rules


def test_creates_the_set_with_references_then_reruns_without_change(aws, vpc_id, capsys):
    first = run(capsys, vpc_id)
    assert first["changed"] is True
    ids = first["group_ids"]
    assert set(ids) == {"t-alb", "t-web", "t-db", "t-redis"}
    found = described(aws, vpc_id)
    assert ingress(found["t-alb"]) == {("tcp", 80, 80, "0.0.0.0/0"), ("tcp", 443, 443, "0.0.0.0/0")}
    assert ingress(found["t-web"]) == {("tcp", 80, 80, ids["t-alb"])}
    assert ingress(found["t-db"]) == {("tcp", 3306, 3306, ids["t-web"])}
    assert ingress(found["t-redis"]) == {("tcp", 6379, 6379, ids["t-web"])}
    assert {t["Key"]: t["Value"] for t in found["t-db"]["Tags"]} == {"Project": "t", "Name": "t-db"}
    second = run(capsys, vpc_id)
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert second["group_ids"] == ids
    assert second["diff"]["before"] == second["diff"]["after"]
    assert "tcp 80 t-alb (From the ALB)" in second["diff"]["after"]["security_groups"]["t-web"]["rules"]


def test_check_mode_on_empty_vpc_plans_everything_and_creates_nothing(aws, vpc_id, capsys):
    result = run(capsys, vpc_id, check_mode=True)
    assert result["changed"] is True
    assert result["group_ids"] == {"t-alb": None, "t-web": None, "t-db": None, "t-redis": None}
    assert "create security group t-web" in result["actions"]
    assert any(a.startswith("authorize ingress tcp 3306 (new group t-web) on t-db") for a in result["actions"])
    assert set(described(aws, vpc_id)) == {"default"}


def test_check_mode_on_converged_set_reports_no_change(aws, vpc_id, capsys):
    run(capsys, vpc_id)
    result = run(capsys, vpc_id, check_mode=True)
    assert result["changed"] is False
    assert result["actions"] == []


def test_foreign_rule_is_revoked_and_port_change_converges(aws, vpc_id, capsys):
    ids = run(capsys, vpc_id)["group_ids"]
    aws.authorize_security_group_ingress(GroupId=ids["t-web"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    result = run(capsys, vpc_id, groups=groups(web_port=8001))
    assert sorted(result["actions"]) == sorted([
        "revoke ingress tcp 22 0.0.0.0/0, tcp 80 t-alb on t-web",
        "authorize ingress tcp 8001 t-alb on t-web"])
    assert ingress(described(aws, vpc_id)["t-web"]) == {("tcp", 8001, 8001, ids["t-alb"])}
    before = result["diff"]["before"]["security_groups"]["t-web"]["rules"]
    assert "tcp 22 0.0.0.0/0" in before
    assert run(capsys, vpc_id, groups=groups(web_port=8001))["changed"] is False


def test_purge_rules_false_keeps_foreign_rules(aws, vpc_id, capsys):
    ids = run(capsys, vpc_id)["group_ids"]
    aws.authorize_security_group_ingress(GroupId=ids["t-db"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    specs = groups()
    specs[2]["purge_rules"] = False
    assert run(capsys, vpc_id, groups=specs)["changed"] is False
    assert ("tcp", 3306, 3306, "10.0.0.0/16") in ingress(described(aws, vpc_id)["t-db"])


def test_changed_rule_description_is_updated_in_place(aws, vpc_id, capsys):
    # On a CIDR rule: moto matches group-pair rules including their old description, so it
    # cannot update a group-pair rule's description (AWS can; the call is the same).
    run(capsys, vpc_id)
    specs = groups()
    specs[0]["rules"][0]["rule_desc"] = "Web clients"
    result = run(capsys, vpc_id, groups=specs)
    assert result["actions"] == ["update ingress rule descriptions tcp 443 0.0.0.0/0, tcp 80 0.0.0.0/0 on t-alb"]
    descriptions = {r.get("Description") for p in described(aws, vpc_id)["t-alb"]["IpPermissions"] for r in p["IpRanges"]}
    assert descriptions == {"Web clients"}
    assert run(capsys, vpc_id, groups=specs)["changed"] is False


def test_ssh_from_a_named_network_and_ipv6(aws, vpc_id, capsys):
    run(capsys, vpc_id, groups=groups(ssh=["203.0.113.0/24", "2001:db8::/48"]))
    web = described(aws, vpc_id)["t-web"]
    assert ("tcp", 22, 22, "203.0.113.0/24") in ingress(web)
    ipv6 = [r["CidrIpv6"] for p in web["IpPermissions"] for r in p.get("Ipv6Ranges", [])]
    assert ipv6 == ["2001:db8::/48"]
    assert run(capsys, vpc_id, groups=groups(ssh=["203.0.113.0/24", "2001:db8::/48"]))["changed"] is False


def test_egress_unset_is_left_alone_and_set_is_purged(aws, vpc_id, capsys):
    specs = [{"name": "t-x", "rules": [{"proto": "tcp", "ports": ["443"], "cidr_ip": ["10.0.0.0/16"]}]}]
    run(capsys, vpc_id, groups=specs)
    [perm] = described(aws, vpc_id)["t-x"]["IpPermissionsEgress"]
    assert perm["IpProtocol"] == "-1"
    specs[0]["rules_egress"] = [{"proto": "tcp", "ports": ["443"], "cidr_ip": ["0.0.0.0/0"]}]
    result = run(capsys, vpc_id, groups=specs)
    assert sorted(result["actions"]) == ["authorize egress tcp 443 0.0.0.0/0 on t-x",
                                         "revoke egress all traffic 0.0.0.0/0 on t-x"]
    [perm] = described(aws, vpc_id)["t-x"]["IpPermissionsEgress"]
    assert (perm["IpProtocol"], perm["FromPort"]) == ("tcp", 443)


def test_groups_referring_to_each_other_are_created_and_deleted(aws, vpc_id, capsys):
    specs = [{"name": "t-a", "rules": [{"ports": ["5000"], "group_name": ["t-b", "t-a"]}]},
             {"name": "t-b", "rules": [{"ports": ["5000"], "group_name": ["t-a"]}]}]
    ids = run(capsys, vpc_id, groups=specs)["group_ids"]
    assert ingress(described(aws, vpc_id)["t-a"]) == {("tcp", 5000, 5000, ids["t-a"]), ("tcp", 5000, 5000, ids["t-b"])}
    gone = run(capsys, vpc_id, state="absent", groups=[{"name": "t-a"}, {"name": "t-b"}])
    assert gone["changed"] is True
    assert set(described(aws, vpc_id)) == {"default"}
    assert run(capsys, vpc_id, state="absent", groups=[{"name": "t-a"}, {"name": "t-b"}])["changed"] is False


def test_existing_description_is_kept_with_a_warning(aws, vpc_id, capsys):
    run(capsys, vpc_id)
    specs = groups()
    specs[0]["description"] = "something else"
    result = run(capsys, vpc_id, groups=specs)
    assert result["changed"] is False
    assert "cannot change a group's description" in json.dumps(result["warnings"])


def test_tag_drift_is_repaired(aws, vpc_id, capsys):
    ids = run(capsys, vpc_id)["group_ids"]
    aws.create_tags(Resources=[ids["t-alb"]], Tags=[{"Key": "Project", "Value": "drifted"}])
    result = run(capsys, vpc_id)
    assert result["actions"] == ["tag %s" % ids["t-alb"]]


@pytest.mark.parametrize("specs, fragment", [
    ([{"name": "x", "rules": [{"proto": "tcp", "cidr_ip": ["10.0.0.0/8"]}]}], "groups[0].rules[0] (x): proto tcp needs ports"),
    ([{"name": "x", "rules": [{"ports": ["80"], "cidr_ip": ["10.0.0.300/8"]}]}], "groups[0].rules[0] (x).cidr_ip[0]"),
    ([{"name": "x", "rules": [{"ports": ["70000"], "cidr_ip": ["10.0.0.0/8"]}]}], "groups[0].rules[0] (x).ports[0]"),
    ([{"name": "x", "rules": [{"ports": ["80"]}]}], "needs at least one source"),
    ([{"name": "x"}, {"name": "x"}], "groups: name x is used twice"),
    ([{"name": "x", "rules": [{"proto": "all", "ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}]}], "proto all covers every port"),
])
def test_bad_input_fails_before_any_call(aws, vpc_id, capsys, specs, fragment):
    result = run(capsys, vpc_id, groups=specs)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert set(described(aws, vpc_id)) == {"default"}


def test_unknown_group_reference_fails_naming_it(aws, vpc_id, capsys):
    result = run(capsys, vpc_id, groups=[{"name": "t-x", "rules": [{"ports": ["80"], "group_name": ["nope"]}]}])
    assert result["failed"] is True
    assert "group_name nope is neither in groups nor in VPC" in result["msg"]
