"""The edge tier of seed 000 (and seed 003's differences) against a private local AWS: check
mode on an empty account writes nothing; the first run builds the zone, the certificate, the
ALB, the WAF and CloudFront with the guides' numbers (read back with boto3); the second run has
changed=0 and no mutating call (from the local AWS's request record); check mode on the
converged tier reports no change; bad input fails before any API call, naming the variable.

The playbook builds the VPC with the network role and stands in for the security groups and
storage tiers (one security group, one bucket)."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/edge.yml"
REGION = "ap-southeast-1"
DOMAIN = "innobic.example.com"
LARAVEL = ["-e", json.dumps({"edge_domain": DOMAIN})]
FASTAPI = ["-e", json.dumps({"edge_domain": "illustra.example.com", "webstack_app": "fastapi",
                             "webstack_project": "illustra", "network_vpc_cidr": "10.1.0.0/16",
                             "network_public_subnets": ["10.1.1.0/24", "10.1.2.0/24"],
                             "network_app_subnets": ["10.1.10.0/24", "10.1.11.0/24"],
                             "network_db_subnets": ["10.1.20.0/24", "10.1.21.0/24"]})]
MANAGED = "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"


def client(aws, service, region=REGION):
    return boto3.client(service, region_name=region, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def edge_calls(calls):
    """The calls of the edge role's modules (the network role and the stand-ins make others)."""
    services = {"acm", "route53", "elasticloadbalancing", "wafv2", "cloudfront"}
    return [c for c in calls if c.service in services]


@pytest.fixture(scope="module")
def converged(own_aws):
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", *LARAVEL)
    check_calls = own_aws.calls()
    own_aws.start_recording()
    first = run_playbook(own_aws, PLAYBOOK, *LARAVEL)
    first_calls = own_aws.calls()
    return {"check": check, "check_calls": check_calls, "first": first, "first_calls": first_calls}


def test_check_mode_on_empty_account_reports_changes_and_writes_nothing(converged):
    check = converged["check"]
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed > 0
    assert [c for c in converged["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_edge(converged, own_aws):
    first = converged["first"]
    assert first.rc == 0, first.raw + first.stderr
    outputs = first.result("Show the tier's outputs")["msg"]

    route53 = client(own_aws, "route53")
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == DOMAIN + "."]
    assert zone["Id"].endswith(outputs["edge_hosted_zone_id"])
    records = {(r["Name"], r["Type"]): r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    for name in (DOMAIN, "www." + DOMAIN, "api." + DOMAIN):
        alias = records[(name + ".", "A")]["AliasTarget"]
        assert alias["DNSName"].rstrip(".") == outputs["edge_alb_dns_name"]
        assert alias["HostedZoneId"] == outputs["edge_alb_zone_id"]
    assert records[(DOMAIN + ".", "MX")]["ResourceRecords"] == [{"Value": "10 inbound-smtp.%s.amazonaws.com" % REGION}]

    acm = client(own_aws, "acm")
    certificate = acm.describe_certificate(CertificateArn=outputs["edge_certificate_arn"])["Certificate"]
    assert certificate["Status"] == "ISSUED"
    assert certificate["Type"] == "AMAZON_ISSUED"
    assert sorted(certificate["SubjectAlternativeNames"]) == sorted([DOMAIN, "*." + DOMAIN])
    validation = certificate["DomainValidationOptions"][0]["ResourceRecord"]
    assert records[(validation["Name"], "CNAME")]["ResourceRecords"] == [{"Value": validation["Value"]}]
    assert len(acm.list_certificates()["CertificateSummaryList"]) == 1

    elb = client(own_aws, "elbv2")
    [lb] = elb.describe_load_balancers(Names=["innobic-production-alb"])["LoadBalancers"]
    assert lb["LoadBalancerArn"] == outputs["edge_alb_arn"]
    assert lb["Scheme"] == "internet-facing"
    ec2 = client(own_aws, "ec2")
    [alb_group] = ec2.describe_security_groups(GroupIds=lb["SecurityGroups"])["SecurityGroups"]
    assert alb_group["GroupName"] == "innobic-production-alb"  # the ALB's own group
    subnets = ec2.describe_subnets(SubnetIds=[z["SubnetId"] for z in lb["AvailabilityZones"]])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.0.1.0/24", "10.0.2.0/24"]  # the public subnets
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["deletion_protection.enabled"] == "true"  # production
    [tg] = elb.describe_target_groups(Names=["innobic-production-tg"])["TargetGroups"]
    assert tg["TargetGroupArn"] == outputs["edge_target_group_arn"]
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 80, "instance")
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"],
            tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"], tg["Matcher"]["HttpCode"]) == ("/health", 30, 5, 2, 3, "200")
    listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert sorted(listeners) == [80, 443]
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert (redirect["RedirectConfig"]["Protocol"], redirect["RedirectConfig"]["Port"],
            redirect["RedirectConfig"]["StatusCode"]) == ("HTTPS", "443", "HTTP_301")
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    [policy] = elb.describe_ssl_policies(Names=[https["SslPolicy"]])["SslPolicies"]
    assert set(policy["SslProtocols"]) <= {"TLSv1.2", "TLSv1.3"}
    assert https["Certificates"][0]["CertificateArn"] == outputs["edge_certificate_arn"]
    assert https["DefaultActions"][0]["Type"] == "forward"
    assert https["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]

    waf = client(own_aws, "wafv2")
    assert waf.get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]["ARN"] == outputs["edge_web_acl_arn"]
    [summary] = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
    rules = {r["Name"]: r for r in waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]["Rules"]}
    assert set(rules) == {"rate-limit", *MANAGED}
    rate = rules["rate-limit"]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"], rate["AggregateKeyType"]) == (1000, 300, "IP")
    for name in MANAGED:
        assert rules[name]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": name}

    cloudfront = client(own_aws, "cloudfront", "us-east-1")
    config = cloudfront.get_distribution_config(Id=outputs["edge_cloudfront_distribution_id"])["DistributionConfig"]
    assert (config["PriceClass"], config["HttpVersion"]) == ("PriceClass_All", "http2and3")
    origins = {o["Id"]: o for o in config["Origins"]["Items"]}
    assert origins["alb"]["DomainName"] == "api." + DOMAIN
    assert origins["alb"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origins["bucket"]["DomainName"] == "innobic-files-production.s3.%s.amazonaws.com" % REGION
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}
    for path in ("/api/*", "/admin/*"):
        assert behaviors[path]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    for path in ("/css/*", "/js/*"):
        assert behaviors[path]["DefaultTTL"] == 365 * 24 * 3600
    assert behaviors["/images/*"]["DefaultTTL"] == 30 * 24 * 3600
    assert all(b["Compress"] for b in behaviors.values()) and config["DefaultCacheBehavior"]["Compress"]
    oacs = cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert [(o["Name"], o["SigningBehavior"]) for o in oacs] == [("innobic-production-files", "always")]


def test_second_run_changes_nothing_and_makes_no_mutating_call(converged, own_aws):
    own_aws.start_recording()
    second = run_playbook(own_aws, PLAYBOOK, *LARAVEL)
    calls = own_aws.calls()
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # zone, certificate, validation record, 4 records, ALB, target group, 2 listeners, web ACL,
    # its association, OAC, distribution: six invocations, a couple of reads each.
    assert len(edge_calls(calls)) <= 24, own_aws.summary(edge_calls(calls))


def test_check_mode_on_the_converged_edge_reports_no_change(converged, own_aws):
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff", *LARAVEL)
    assert check.rc == 0, check.raw + check.stderr
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_seed_003_profile(converged, own_aws):
    first = run_playbook(own_aws, PLAYBOOK, *FASTAPI)
    assert first.rc == 0, first.raw + first.stderr
    outputs = first.result("Show the tier's outputs")["msg"]
    elb = client(own_aws, "elbv2")
    [tg] = elb.describe_target_groups(Names=["illustra-production-tg"])["TargetGroups"]
    assert (tg["Port"], tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"],
            tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"]) == (8001, "/api/products", 30, 5, 2, 3)
    config = client(own_aws, "cloudfront", "us-east-1").get_distribution_config(
        Id=outputs["edge_cloudfront_distribution_id"])["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "bucket"
    errors = {e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]["Items"]}
    assert errors == {403: ("200", "/index.html"), 404: ("200", "/index.html")}
    [api] = config["CacheBehaviors"]["Items"]
    assert (api["PathPattern"], api["TargetOriginId"]) == ("/api/*", "alb")
    own_aws.start_recording()
    second = run_playbook(own_aws, PLAYBOOK, *FASTAPI)
    assert second.rc == 0 and second.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


# Facts of the other tiers given as extra vars, so that the stand-ins are skipped: the play
# itself must make no API call before the input check fails.
PREREQUISITES = {
    "network_subnet_ids": {"public": {"ap-southeast-1a": "subnet-1", "ap-southeast-1b": "subnet-2"}},
    "network_vpc_id": "vpc-1", "security_groups_ids": {"alb": "sg-1"},
    "storage_bucket_names": {"files": "innobic-files-production"}, "edge_domain": DOMAIN,
}


@pytest.mark.parametrize("extra_vars, variable", [
    ({"edge_domain": ""}, "edge_domain: edge_tls_enabled is true but edge_domain is empty"),
    ({"edge_tls_policy": "ELBSecurityPolicy-2016-08"}, "edge_tls_policy: 'ELBSecurityPolicy-2016-08' allows TLS older than 1.2"),
    ({"edge_health_check": {"path": "/health", "interval": 5, "timeout": 5, "healthy_threshold": 2,
                            "unhealthy_threshold": 3, "matcher": "200"}}, "edge_health_check.timeout: 5 s must be shorter"),
    ({"edge_waf_admin_allowed_cidrs": ["203.0.113.0/33"]}, "edge_waf_admin_allowed_cidrs[0]"),
])
def test_bad_input_fails_before_any_api_call(converged, own_aws, extra_vars, variable):
    own_aws.start_recording()
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(dict(PREREQUISITES, **extra_vars)))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    # The aws_ec2 inventory of inventories/local reads the instances before any play starts.
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []
