"""The network tier of seed 000 against the local AWS: check mode on an empty account, a first
run that builds it, a second run that changes nothing (counted from the local AWS's own request
record), and bad input that fails before any API call."""

from __future__ import annotations

import boto3
import pytest

PLAYBOOK = "playbooks/infrastructure.yml"
# Only the network tier: the other tiers have tests of their own.
NETWORK_ONLY = ("-e", '{"webstack_tiers": ["network"]}')
REGION = "ap-southeast-1"
NAME = "innobic-production"
EXPECTED_SUBNETS = {
    "innobic-production-public-1a": ("10.0.1.0/24", "ap-southeast-1a"),
    "innobic-production-public-1b": ("10.0.2.0/24", "ap-southeast-1b"),
    "innobic-production-app-1a": ("10.0.10.0/24", "ap-southeast-1a"),
    "innobic-production-app-1b": ("10.0.11.0/24", "ap-southeast-1b"),
    "innobic-production-db-1a": ("10.0.20.0/24", "ap-southeast-1a"),
    "innobic-production-db-1b": ("10.0.21.0/24", "ap-southeast-1b"),
}


def ec2(local_aws):
    return boto3.client("ec2", region_name=REGION, endpoint_url=local_aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def our_vpcs(client):
    return client.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["%s-vpc" % NAME]}])["Vpcs"]


@pytest.fixture(scope="module")
def converged(local_aws):
    """An empty account, checked in check mode, then built once."""
    from tests.integration.conftest import run_playbook

    local_aws.reset()
    local_aws.start_recording()
    check = run_playbook(local_aws, PLAYBOOK, *NETWORK_ONLY, "--check", "--diff")
    check_calls = local_aws.calls()
    local_aws.start_recording()
    first = run_playbook(local_aws, PLAYBOOK, *NETWORK_ONLY)
    first_calls = local_aws.calls()
    return {"check": check, "check_calls": check_calls, "first": first, "first_calls": first_calls}


def test_check_mode_on_empty_account_reports_changes_and_creates_nothing(converged, local_aws):
    check = converged["check"]
    assert check.rc == 0, check.raw + check.stderr
    result = check.result("Converge the VPC, subnets, gateways and route tables")
    assert result["changed"] is True
    assert "create VPC innobic-production-vpc" in result["actions"]
    assert sum(a.startswith("create subnet") for a in result["actions"]) == 6
    assert sum(a.startswith("create NAT gateway") for a in result["actions"]) == 2
    assert sum(a.startswith("allocate Elastic IP") for a in result["actions"]) == 2
    assert result["diff"]["after"]["vpc"]["innobic-production-vpc"]["cidr_block"] == "10.0.0.0/16"
    mutating = [c for c in converged["check_calls"] if c.mutating]
    assert mutating == [], "check mode wrote to AWS: %s" % mutating


def test_first_run_builds_the_guides_network(converged, local_aws):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    assert first.changed == 1
    client = ec2(local_aws)
    [vpc] = our_vpcs(client)
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert tags(vpc) == {"Name": "%s-vpc" % NAME, "Project": "innobic", "Environment": "production"}
    assert client.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]

    subnets = client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    found = {tags(s)["Name"]: (s["CidrBlock"], s["AvailabilityZone"]) for s in subnets}
    assert found == EXPECTED_SUBNETS
    by_name = {tags(s)["Name"]: s for s in subnets}
    for subnet in subnets:
        assert {"Project", "Environment", "Name", "Tier"} <= set(tags(subnet))
        assert subnet["MapPublicIpOnLaunch"] is False

    [igw] = client.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])["InternetGateways"]
    nats = client.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"]
    assert len(nats) == 2
    nat_by_az = {}
    for nat in nats:
        subnet_name = [n for n, s in by_name.items() if s["SubnetId"] == nat["SubnetId"]][0]
        assert "-public-" in subnet_name
        assert nat["NatGatewayAddresses"][0]["AllocationId"]
        assert tags(nat)["Name"] == "%s-nat-%s" % (NAME, subnet_name[-2:])
        nat_by_az[by_name[subnet_name]["AvailabilityZone"]] = nat["NatGatewayId"]
    assert len(client.describe_addresses()["Addresses"]) == 2

    tables = client.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
    default_route = {}
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId"):
                routes = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
                default_route[assoc["SubnetId"]] = routes[0] if routes else None
    for name, subnet in by_name.items():
        route = default_route[subnet["SubnetId"]]
        if "-public-" in name:
            assert route["GatewayId"] == igw["InternetGatewayId"]
        elif "-app-" in name:
            assert route["NatGatewayId"] == nat_by_az[subnet["AvailabilityZone"]], name
        else:
            assert route is None, "database subnet %s has a route out: %s" % (name, route)

    outputs = first.result("Show the stack's outputs")["msg"]
    assert outputs["vpc_id"] == vpc["VpcId"]
    assert outputs["subnet_ids"]["app"]["ap-southeast-1b"] == by_name["innobic-production-app-1b"]["SubnetId"]
    assert outputs["nat_gateway_ids"] == nat_by_az


def test_second_run_changes_nothing_and_makes_no_mutating_call(converged, playbook, local_aws):
    local_aws.start_recording()
    second = playbook(PLAYBOOK, *NETWORK_ONLY, "--diff")
    calls = local_aws.calls()
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # 17 resources (VPC, 6 subnets, IGW, 2 NAT, 2 EIP, 5 route tables): a handful of reads.
    assert 0 < len(calls) <= 10, local_aws.summary(calls)


def test_check_mode_on_converged_network_reports_no_change(converged, playbook, local_aws):
    local_aws.start_recording()
    check = playbook(PLAYBOOK, *NETWORK_ONLY, "--check", "--diff")
    assert check.rc == 0
    assert check.changed == 0
    assert [c for c in local_aws.calls() if c.mutating] == []


def test_drifted_tag_is_repaired_with_one_write(converged, playbook, local_aws):
    client = ec2(local_aws)
    [vpc] = our_vpcs(client)
    client.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Environment", "Value": "drifted"}])
    local_aws.start_recording()
    run = playbook(PLAYBOOK, *NETWORK_ONLY, "--diff")
    assert run.rc == 0
    assert run.changed == 1
    result = run.result("Converge the VPC, subnets, gateways and route tables")
    assert result["diff"]["before"]["vpc"]["innobic-production-vpc"]["tags"]["Environment"] == "drifted"
    assert [c.operation for c in local_aws.calls() if c.mutating] == ["CreateTags"]


@pytest.mark.parametrize("extra_vars, variable", [
    ({"network_app_subnets": ["10.1.10.0/24", "10.0.11.0/24"]}, "network_app_subnets[0]"),
    ({"network_db_subnets": ["10.0.10.0/25", "10.0.21.0/24"]}, "network_db_subnets[0]"),
    ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr"),
    ({"network_public_subnets": ["10.0.1.0/24", "10.0.2.300/24"]}, "network_public_subnets[1]"),
    ({"network_availability_zones": ["ap-southeast-1a"]}, "network_availability_zones"),
    ({"webstack_project": ""}, "network_project"),
])
def test_bad_input_fails_before_any_api_call(playbook, local_aws, extra_vars, variable):
    import json

    local_aws.start_recording()
    run = playbook(PLAYBOOK, *NETWORK_ONLY, "-e", json.dumps(extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    # The aws_ec2 inventory source of inventories/local reads the instances (DescribeInstances)
    # before any play starts; the play itself must make no call at all.
    play_calls = [c for c in local_aws.calls() if c.operation != "DescribeInstances"]
    assert play_calls == [], "API calls before the input check failed"


def test_tiers_not_selected_by_tags_only_read(converged, playbook, local_aws):
    client = ec2(local_aws)
    [vpc] = our_vpcs(client)
    client.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Project", "Value": "drifted"}])
    local_aws.start_recording()
    other_tier = playbook(PLAYBOOK, *NETWORK_ONLY, "--tags", "compute")
    assert other_tier.rc == 0, other_tier.raw + other_tier.stderr
    assert [c for c in local_aws.calls() if c.mutating] == []
    assert other_tier.result("Show the stack's outputs")["msg"]["vpc_id"] == vpc["VpcId"]
    assert tags(our_vpcs(client)[0])["Project"] == "drifted"
    network_only = playbook(PLAYBOOK, *NETWORK_ONLY, "--tags", "network")
    assert network_only.rc == 0
    assert network_only.changed == 1
    assert tags(our_vpcs(client)[0])["Project"] == "innobic"
