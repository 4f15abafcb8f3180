"""The observability tier against a private local AWS (own_aws): the other tiers' resources it
watches (an Auto Scaling group, an ALB with its target group, an RDS instance) are created with
boto3 first, since those tiers are built elsewhere. Then: check mode on an empty tier writes
nothing; the first run builds the guide's alarms, topic, log groups, billing alarm (us-east-1)
and dashboard, read back with boto3; the second run reports changed=0 with no mutating call
(counted from the local AWS's own request record) and at most two reads per resource; --check
--diff on the converged tier reports nothing; the FastAPI profile gets seed 003's alarms; and
bad input fails before any API call, naming the variable."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import run_playbook

PLAYBOOK = "tests/integration/playbooks/observability.yml"
REGION = "ap-southeast-1"
PREFIX = "innobic-production-alarm-"


def client(aws, service, region=REGION):
    return boto3.client(service, region_name=region, endpoint_url=aws.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_watched_resources(aws):
    """What the compute, edge and database tiers would have built."""
    ec2 = client(aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for cidr, az in (("10.0.1.0/24", "ap-southeast-1a"), ("10.0.2.0/24", "ap-southeast-1b"))]
    elb = client(aws, "elbv2")
    alb = elb.create_load_balancer(Name="innobic-production-alb", Subnets=subnets)["LoadBalancers"][0]
    target_group = elb.create_target_group(Name="innobic-production-tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                           TargetType="instance")["TargetGroups"][0]
    ec2.create_launch_template(LaunchTemplateName="innobic-production-lt",
                               LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.medium"})
    client(aws, "autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="innobic-production-asg", MinSize=0, MaxSize=6, DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateName": "innobic-production-lt", "Version": "$Latest"},
        VPCZoneIdentifier=",".join(subnets), TargetGroupARNs=[target_group["TargetGroupArn"]])
    db = client(aws, "rds").create_db_instance(
        DBInstanceIdentifier="innobic-production-mysql", DBInstanceClass="db.t3.medium", Engine="mysql",
        MasterUsername="admin", MasterUserPassword="not-a-real-secret-1", AllocatedStorage=100)["DBInstance"]
    return {"compute_asg_name": "innobic-production-asg",
            "database_endpoint": db["Endpoint"]["Address"],
            "edge_alb_arn": alb["LoadBalancerArn"],
            "edge_target_group_arn": target_group["TargetGroupArn"],
            "email_configuration_set": "innobic-config-set",
            "observability_alarm_subscriptions": [{"protocol": "email", "endpoint": "ops@innobic.example"}]}


@pytest.fixture(scope="module")
def stack(own_aws):
    facts = create_watched_resources(own_aws)
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff", "-e", json.dumps(facts))
    check_calls = own_aws.calls()
    own_aws.start_recording()
    first = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(facts))
    return {"facts": facts, "check": check, "check_calls": check_calls, "first": first}


def alarms(aws, region=REGION, prefix=PREFIX):
    return {a["AlarmName"]: a for a in client(aws, "cloudwatch", region).describe_alarms(
        AlarmNamePrefix=prefix)["MetricAlarms"]}


def test_check_mode_on_an_empty_tier_writes_nothing(stack):
    check = stack["check"]
    assert check.rc == 0, check.raw + check.stderr
    result = check.result("Converge the alarm topic, the alarms (and the billing alarm in us-east-1) and the log groups")
    assert result["changed"] is True
    assert "create alarm innobic-production-alarm-billing (us-east-1)" in result["actions"]
    assert [c for c in stack["check_calls"] if c.mutating] == []


def test_first_run_builds_the_guides_alarms(stack, own_aws):
    first = stack["first"]
    assert first.rc == 0, first.raw + first.stderr
    facts = stack["facts"]
    load_balancer = facts["edge_alb_arn"].split(":loadbalancer/")[1]
    found = alarms(own_aws)
    assert set(found) == {PREFIX + n for n in ("cpu-high", "memory-high", "disk-high", "db-connections-high",
                                               "5xx-rate-high", "response-time-high")}
    topic_arn = first.result("Show the tier's outputs")["msg"]["observability_alarm_topic_arn"]
    expected = {
        # name: (namespace, metric, statistic, threshold, dimensions)
        "cpu-high": ("AWS/EC2", "CPUUtilization", "Average", 80.0, {"AutoScalingGroupName": "innobic-production-asg"}),
        "memory-high": ("CWAgent", "mem_used_percent", "Maximum", 90.0, {"AutoScalingGroupName": "innobic-production-asg"}),
        "disk-high": ("CWAgent", "disk_used_percent", "Maximum", 85.0,
                      {"AutoScalingGroupName": "innobic-production-asg", "path": "/"}),
        "db-connections-high": ("AWS/RDS", "DatabaseConnections", "Maximum", 180.0,
                                {"DBInstanceIdentifier": "innobic-production-mysql"}),
        "response-time-high": ("AWS/ApplicationELB", "TargetResponseTime", "Average", 3.0, {"LoadBalancer": load_balancer}),
    }
    for short, (namespace, metric, statistic, threshold, dimensions) in expected.items():
        alarm = found[PREFIX + short]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Threshold"]) == \
            (namespace, metric, statistic, threshold), short
        assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == dimensions, short
        assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["ComparisonOperator"]) == \
            (300, 1, "GreaterThanThreshold"), short
        assert alarm["AlarmActions"] == [topic_arn] and alarm["OKActions"] == [topic_arn], short
    rate = found[PREFIX + "5xx-rate-high"]
    assert rate["Threshold"] == 1.0
    queries = {q["Id"]: q for q in rate["Metrics"]}
    assert queries["rate"]["Expression"] == "100 * FILL(errors, 0) / requests" and queries["rate"]["ReturnData"]
    assert queries["errors"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["requests"]["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "LoadBalancer", "Value": load_balancer}]

    billing = alarms(own_aws, region="us-east-1")[PREFIX + "billing"]
    assert (billing["Namespace"], billing["MetricName"], billing["Threshold"], billing["Period"]) == \
        ("AWS/Billing", "EstimatedCharges", 500.0, 86400)
    assert billing["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
    assert billing["AlarmActions"][0].startswith("arn:aws:sns:us-east-1:")

    sns = client(own_aws, "sns")
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@innobic.example")
    groups = client(own_aws, "logs").describe_log_groups(logGroupNamePrefix="/innobic/production/")["logGroups"]
    assert {g["logGroupName"]: g["retentionInDays"] for g in groups} == {
        "/innobic/production/nginx": 30, "/innobic/production/php-fpm": 30, "/innobic/production/app": 30}
    body = json.loads(client(own_aws, "cloudwatch").get_dashboard(DashboardName="innobic-production")["DashboardBody"])
    titles = [w["properties"].get("title") for w in body["widgets"] if w["type"] == "metric"]
    assert "Response time (s): p50, p90, p99" in titles and "Database connections" in titles
    assert "E-mail bounces and complaints" in titles and "Healthy and unhealthy hosts" in titles
    outputs = first.result("Show the tier's outputs")["msg"]
    assert outputs["observability_alarm_names"] == sorted(found, key=outputs["observability_alarm_names"].index)
    assert outputs["observability_log_groups"] == ["/innobic/production/nginx", "/innobic/production/php-fpm",
                                                   "/innobic/production/app"]


def test_second_run_changes_nothing_with_few_reads(stack, own_aws):
    own_aws.start_recording()
    second = run_playbook(own_aws, PLAYBOOK, "--diff", "-e", json.dumps(stack["facts"]))
    calls = [c for c in own_aws.calls() if c.operation != "DescribeInstances"]
    assert second.rc == 0, second.raw + second.stderr
    assert second.changed == 0
    assert [c for c in calls if c.mutating] == []
    # Resources: 7 alarms, 2 topics, 2 subscriptions, 3 log groups, 1 dashboard = 15.
    assert len(calls) <= 2 * 15, own_aws.summary(calls)


def test_check_mode_on_the_converged_tier_reports_no_change(stack, own_aws):
    own_aws.start_recording()
    check = run_playbook(own_aws, PLAYBOOK, "--check", "--diff", "-e", json.dumps(stack["facts"]))
    assert check.rc == 0
    assert check.changed == 0
    assert [c for c in own_aws.calls() if c.mutating] == []


def test_fastapi_profile_gets_seed_003s_alarms(stack, own_aws):
    facts = dict(stack["facts"], webstack_app="fastapi", webstack_environment="staging",
                 compute_asg_name="innobic-production-asg")
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(facts))
    assert run.rc == 0, run.raw + run.stderr
    found = alarms(own_aws, prefix="innobic-staging-alarm-")
    assert set(found) == {"innobic-staging-alarm-cpu-high", "innobic-staging-alarm-5xx-count-high"}
    cpu = found["innobic-staging-alarm-cpu-high"]
    assert (cpu["Threshold"], cpu["Period"], cpu["EvaluationPeriods"]) == (80.0, 300, 2)
    count = found["innobic-staging-alarm-5xx-count-high"]
    assert (count["Statistic"], count["Threshold"], count["Period"]) == ("Sum", 10.0, 300)
    billing = alarms(own_aws, region="us-east-1", prefix="innobic-staging-alarm-")["innobic-staging-alarm-billing"]
    assert billing["Threshold"] == 100.0
    groups = client(own_aws, "logs").describe_log_groups(logGroupNamePrefix="/innobic/staging/")["logGroups"]
    assert sorted(g["logGroupName"] for g in groups) == ["/innobic/staging/app", "/innobic/staging/nginx",
                                                         "/innobic/staging/uvicorn"]
    # The production tier was left alone.
    assert len(alarms(own_aws)) == 6


@pytest.mark.parametrize("extra_vars, variable", [
    ({"observability_cpu_threshold": 120}, "observability_cpu_threshold"),
    ({"observability_log_retention_days": 45}, "observability_log_retention_days"),
    ({"observability_alarm_subscriptions": [{"protocol": "email", "endpoint": "ops.innobic.example"}]},
     "observability_alarm_subscriptions[0].endpoint"),
    ({"observability_alarms_enabled": ["cpu", "queue_depth"]}, "observability_alarms_enabled[1]"),
    ({"observability_period": 90}, "observability_period"),
])
def test_bad_input_fails_before_any_api_call(own_aws, extra_vars, variable):
    own_aws.start_recording()
    run = run_playbook(own_aws, PLAYBOOK, "-e", json.dumps(extra_vars))
    assert run.rc != 0
    assert variable in run.messages, run.messages
    # The aws_ec2 inventory source reads the instances before any play starts.
    assert [c for c in own_aws.calls() if c.operation != "DescribeInstances"] == []
