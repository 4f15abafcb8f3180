"""load_balancer against moto in-process (mock_aws): the guide's ALB with target group and
listeners, a converged re-run, check mode, drift of an attribute and of the health check,
registered targets left alone, TLS-off forwarding, and bad input."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import load_balancer

REGION = "ap-southeast-1"
HEALTH = {"path": "/health", "interval": 30, "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3, "matcher": "200"}


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
        group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
        certificate = boto3.client("acm", region_name=REGION).request_certificate(
            DomainName="example.com", ValidationMethod="DNS")["CertificateArn"]
        yield {"elb": boto3.client("elbv2", region_name=REGION), "ec2": ec2, "vpc": vpc, "subnets": subnets,
               "group": group, "certificate": certificate}


def guide_args(aws, **overrides):
    args = {
        "name": "t-alb", "region": REGION, "subnets": aws["subnets"], "security_groups": [aws["group"]],
        "idle_timeout": 60, "http2": True, "deletion_protection": True,
        "target_groups": [{"name": "t-tg", "port": 80, "health_check": dict(HEALTH)}],
        "listeners": [
            {"port": 80, "protocol": "HTTP",
             "default_action": {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}},
            {"port": 443, "protocol": "HTTPS", "certificate_arn": aws["certificate"],
             "default_action": {"type": "forward", "target_group": "t-tg"}},
        ],
        "tags": {"Project": "t", "Environment": "test"},
    }
    args.update(overrides)
    return args


def run(capsys, args, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            load_balancer.main()
    return json.loads(capsys.readouterr().out)


def test_creates_the_guides_alb_then_rerun_changes_nothing(aws, capsys):
    first = run(capsys, guide_args(aws))
    assert first["changed"] is True, first
    elb = aws["elb"]
    [lb] = elb.describe_load_balancers(Names=["t-alb"])["LoadBalancers"]
    assert lb["Scheme"] == "internet-facing"
    assert lb["SecurityGroups"] == [aws["group"]]
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"
    [tg] = elb.describe_target_groups(Names=["t-tg"])["TargetGroups"]
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 80, "instance")
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"],
            tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"], tg["Matcher"]["HttpCode"]) == ("/health", 30, 5, 2, 3, "200")
    listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[443]["Certificates"][0]["CertificateArn"] == aws["certificate"]
    assert listeners[443]["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    assert first["load_balancer"]["dns_name"] == lb["DNSName"]
    assert first["target_groups"] == {"t-tg": tg["TargetGroupArn"]}

    second = run(capsys, guide_args(aws))
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert second["diff"]["before"] == second["diff"]["after"]


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, guide_args(aws), check_mode=True)
    assert result["changed"] is True
    assert "create load balancer t-alb" in result["actions"]
    assert "create target group t-tg" in result["actions"]
    assert "create HTTPS listener on port 443" in result["actions"]
    assert aws["elb"].describe_load_balancers()["LoadBalancers"] == []
    assert aws["elb"].describe_target_groups()["TargetGroups"] == []


def test_registered_targets_are_never_touched(aws, capsys):
    first = run(capsys, guide_args(aws))
    instance = aws["ec2"].run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                        SubnetId=aws["subnets"][0])["Instances"][0]["InstanceId"]
    tg_arn = first["target_groups"]["t-tg"]
    aws["elb"].register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": instance}])
    second = run(capsys, guide_args(aws))
    assert second["changed"] is False
    targets = aws["elb"].describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    assert [t["Target"]["Id"] for t in targets] == [instance]


def test_drift_is_repaired_with_only_the_needed_writes(aws, capsys):
    first = run(capsys, guide_args(aws))
    elb = aws["elb"]
    arn = first["load_balancer"]["arn"]
    elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}])
    elb.modify_target_group(TargetGroupArn=first["target_groups"]["t-tg"], HealthCheckPath="/")
    check = run(capsys, guide_args(aws), check_mode=True)
    assert check["changed"] is True
    assert check["diff"]["before"]["load_balancer"]["t-alb"]["attributes"]["idle_timeout.timeout_seconds"] == "300"
    result = run(capsys, guide_args(aws))
    assert result["actions"] == ["set load balancer attributes idle_timeout.timeout_seconds=60",
                                 "modify health check of target group t-tg"]
    assert run(capsys, guide_args(aws))["changed"] is False


def test_tls_off_forwards_port_80_and_drops_the_https_listener(aws, capsys):
    run(capsys, guide_args(aws))
    plain = guide_args(aws, deletion_protection=False, listeners=[
        {"port": 80, "protocol": "HTTP", "default_action": {"type": "forward", "target_group": "t-tg"}}])
    result = run(capsys, plain)
    assert "modify listener on port 80" in result["actions"]
    assert "delete listener on port 443" in result["actions"]
    listeners = aws["elb"].describe_listeners(LoadBalancerArn=result["load_balancer"]["arn"])["Listeners"]
    assert [(l["Port"], l["DefaultActions"][0]["Type"]) for l in listeners] == [(80, "forward")]
    assert run(capsys, plain)["changed"] is False


def test_absent_refuses_while_deletion_protection_is_on(aws, capsys):
    run(capsys, guide_args(aws))
    refused = run(capsys, {"name": "t-alb", "region": REGION, "state": "absent", "target_groups": [{"name": "t-tg", "port": 80}]})
    assert refused["failed"] is True
    assert refused["msg"].startswith("deletion_protection:")
    run(capsys, guide_args(aws, deletion_protection=False))
    gone = run(capsys, {"name": "t-alb", "region": REGION, "state": "absent", "target_groups": [{"name": "t-tg", "port": 80}]})
    assert gone["changed"] is True
    assert aws["elb"].describe_load_balancers()["LoadBalancers"] == []
    assert aws["elb"].describe_target_groups()["TargetGroups"] == []


@pytest.mark.parametrize("change, fragment", [
    ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "listeners[1].ssl_policy: 'ELBSecurityPolicy-2016-08' allows TLS older than 1.2"),
    ({"ssl_policy": "ELBSecurityPolicy-TLS-1-1-2017-01"}, "listeners[1].ssl_policy"),
    ({"ssl_policy": "ELBSecurityPolicy-TLS13-1-0-2021-06"}, "listeners[1].ssl_policy"),
    ({"certificate_arn": None}, "listeners[1].certificate_arn"),
])
def test_bad_listener_fails_before_any_call(aws, capsys, change, fragment):
    args = guide_args(aws)
    args["listeners"][1].update(change)
    result = run(capsys, args)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws["elb"].describe_load_balancers()["LoadBalancers"] == []


def test_health_check_timeout_must_be_shorter_than_interval(aws, capsys):
    result = run(capsys, guide_args(aws, target_groups=[{"name": "t-tg", "port": 80, "health_check": dict(HEALTH, timeout=30)}]))
    assert result["failed"] is True
    assert "target_groups[0].health_check.timeout: 30 s must be shorter than" in result["msg"]
    assert aws["elb"].describe_target_groups()["TargetGroups"] == []
