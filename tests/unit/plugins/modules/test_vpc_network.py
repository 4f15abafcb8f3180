"""vpc_network against moto in-process (mock_aws): create, re-run, check mode, drift, the
Elastic IP left by an interrupted run, single NAT routing, and delete."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import vpc_network

REGION = "ap-southeast-1"
SUBNETS = [
    {"name": "t-public-1a", "cidr": "10.0.1.0/24", "availability_zone": "ap-southeast-1a", "tier": "public",
     "route": "internet", "nat_gateway": True},
    {"name": "t-public-1b", "cidr": "10.0.2.0/24", "availability_zone": "ap-southeast-1b", "tier": "public",
     "route": "internet", "nat_gateway": True},
    {"name": "t-app-1a", "cidr": "10.0.10.0/24", "availability_zone": "ap-southeast-1a", "tier": "app", "route": "nat"},
    {"name": "t-app-1b", "cidr": "10.0.11.0/24", "availability_zone": "ap-southeast-1b", "tier": "app", "route": "nat"},
    {"name": "t-db-1a", "cidr": "10.0.20.0/24", "availability_zone": "ap-southeast-1a", "tier": "db"},
]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def run(capsys, check_mode=False, **overrides):
    args = {"name": "t", "cidr_block": "10.0.0.0/16", "region": REGION, "subnets": SUBNETS,
            "tags": {"Project": "t", "Environment": "test"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            vpc_network.main()
    return json.loads(capsys.readouterr().out)


def count(aws, operation, key, **params):
    return len(getattr(aws, operation)(**params)[key])


def test_creates_then_converged_rerun_changes_nothing(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    assert first["vpc_id"].startswith("vpc-")
    assert set(first["subnet_ids"]) == {"public", "app", "db"}
    assert set(first["nat_gateway_ids"]) == {"ap-southeast-1a", "ap-southeast-1b"}
    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert second["vpc_id"] == first["vpc_id"]
    assert second["nat_gateway_ids"] == first["nat_gateway_ids"]
    assert count(aws, "describe_addresses", "Addresses") == 2


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    vpcs_before = count(aws, "describe_vpcs", "Vpcs")
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert result["vpc_id"] is None
    assert "create VPC t-vpc" in result["actions"]
    assert count(aws, "describe_vpcs", "Vpcs") == vpcs_before
    assert count(aws, "describe_addresses", "Addresses") == 0


def test_check_mode_reports_drift_without_repairing(aws, capsys):
    first = run(capsys)
    aws.create_tags(Resources=[first["vpc_id"]], Tags=[{"Key": "Environment", "Value": "x"}])
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert result["actions"] == ["tag %s" % first["vpc_id"]]
    [vpc] = aws.describe_vpcs(VpcIds=[first["vpc_id"]])["Vpcs"]
    assert {"Key": "Environment", "Value": "x"} in vpc["Tags"]


def test_purge_tags_removes_foreign_tags_only_when_asked(aws, capsys):
    first = run(capsys)
    aws.create_tags(Resources=[first["vpc_id"]], Tags=[{"Key": "Owner", "Value": "ops"}])
    kept = run(capsys, purge_tags=False)
    assert kept["changed"] is False
    purged = run(capsys)
    assert purged["actions"] == ["untag %s" % first["vpc_id"]]
    assert purged["diff"]["before"]["vpc"]["t-vpc"]["tags"]["Owner"] == "ops"
    assert "Owner" not in purged["diff"]["after"]["vpc"]["t-vpc"]["tags"]


def test_leftover_elastic_ip_is_reused_not_reallocated(aws, capsys):
    # An interrupted run allocated the NAT's address but never created the NAT gateway.
    leftover = aws.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "t-nat-1a-eip"}]}])
    result = run(capsys)
    assert count(aws, "describe_addresses", "Addresses") == 2
    nat_1a = [n for n in result["nat_gateways"] if n["availability_zone"] == "ap-southeast-1a"][0]
    assert nat_1a["allocation_id"] == leftover["AllocationId"]
    assert sum(a.startswith("allocate Elastic IP") for a in result["actions"]) == 1


def test_single_nat_gateway_serves_every_app_subnet(aws, capsys):
    subnets = [dict(s, nat_gateway=(s["name"] == "t-public-1a")) for s in SUBNETS]
    result = run(capsys, subnets=subnets)
    [nat_id] = result["nat_gateway_ids"].values()
    tables = aws.describe_route_tables(RouteTableIds=[result["route_table_ids"]["t-app-1a-rt"],
                                                      result["route_table_ids"]["t-app-1b-rt"]])["RouteTables"]
    for table in tables:
        [route] = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert route["NatGatewayId"] == nat_id


def test_subnet_moved_to_another_route_table_is_reassociated(aws, capsys):
    first = run(capsys)
    db_table = first["route_table_ids"]["t-db-rt"]
    app_subnet = first["subnet_ids"]["app"]["ap-southeast-1a"]
    [table] = aws.describe_route_tables(RouteTableIds=[first["route_table_ids"]["t-app-1a-rt"]])["RouteTables"]
    [assoc] = [a for a in table["Associations"] if a.get("SubnetId") == app_subnet]
    aws.replace_route_table_association(AssociationId=assoc["RouteTableAssociationId"], RouteTableId=db_table)
    result = run(capsys)
    assert result["actions"] == ["associate t-app-1a with t-app-1a-rt"]
    assert run(capsys)["changed"] is False


def test_changed_vpc_cidr_fails_instead_of_making_a_second_vpc(aws, capsys):
    run(capsys)
    subnets = [dict(s, cidr=s["cidr"].replace("10.0.", "10.9.")) for s in SUBNETS]
    result = run(capsys, cidr_block="10.9.0.0/16", subnets=subnets)
    assert result["failed"] is True
    assert result["msg"].startswith("cidr_block: VPC t-vpc")


@pytest.mark.parametrize("subnets, fragment", [
    ([dict(SUBNETS[0], cidr="10.1.0.0/24")], "subnets[0].cidr (t-public-1a): 10.1.0.0/24 is outside cidr_block"),
    ([SUBNETS[0], dict(SUBNETS[1], cidr="10.0.1.0/25")], "overlaps subnets[0].cidr"),
    ([dict(SUBNETS[2])], "route=nat needs a subnet with nat_gateway=true"),
    ([dict(SUBNETS[4], nat_gateway=True)], "a NAT gateway needs a subnet with route=internet"),
])
def test_bad_input_fails_before_any_call(aws, capsys, subnets, fragment):
    result = run(capsys, subnets=subnets)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert count(aws, "describe_vpcs", "Vpcs", Filters=[{"Name": "tag:Name", "Values": ["t-vpc"]}]) == 0


def test_absent_removes_the_tier_and_releases_its_addresses(aws, capsys):
    first = run(capsys)
    gone = run(capsys, state="absent")
    assert gone["changed"] is True
    assert count(aws, "describe_vpcs", "Vpcs", VpcIds=[]) == 1  # only the default VPC is left
    assert count(aws, "describe_addresses", "Addresses") == 0
    assert first["vpc_id"] not in [v["VpcId"] for v in aws.describe_vpcs()["Vpcs"]]
    assert run(capsys, state="absent")["changed"] is False
