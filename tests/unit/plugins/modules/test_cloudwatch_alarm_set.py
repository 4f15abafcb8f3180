"""cloudwatch_alarm_set against moto in-process (mock_aws): alarms (plain and metric math) with
their SNS topic and log groups created in one call, a converged re-run without writes, check
mode, drift repaired with one write, the billing alarm and its own topic in us-east-1, purging
alarms under the prefix, tags, unconfirmed subscriptions, and bad input failing before any call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import cloudwatch_alarm_set

REGION = "ap-southeast-1"
TOPIC = {"name": "t-alarms", "subscriptions": [{"protocol": "email", "endpoint": "ops@example.com"}]}
CPU = {"name": "t-alarm-cpu", "description": "CPU above 80 %", "namespace": "AWS/EC2", "metric_name": "CPUUtilization",
       "statistic": "Average", "dimensions": {"AutoScalingGroupName": "t-asg"}, "period": 300,
       "evaluation_periods": 1, "threshold": 80, "comparison_operator": "GreaterThanThreshold", "notify_ok": True}
RATE = {"name": "t-alarm-5xx-rate", "evaluation_periods": 1, "threshold": 1, "comparison_operator": "GreaterThanThreshold",
        "treat_missing_data": "notBreaching",
        "metrics": [
            {"id": "rate", "expression": "100 * FILL(errors, 0) / requests", "label": "5xx rate"},
            {"id": "errors", "metric_stat": {"namespace": "AWS/ApplicationELB", "metric_name": "HTTPCode_Target_5XX_Count",
                                             "dimensions": {"LoadBalancer": "app/t/1"}, "period": 300, "stat": "Sum"}},
            {"id": "requests", "metric_stat": {"namespace": "AWS/ApplicationELB", "metric_name": "RequestCount",
                                               "dimensions": {"LoadBalancer": "app/t/1"}, "period": 300, "stat": "Sum"}},
        ]}
P99 = {"name": "t-alarm-latency", "namespace": "AWS/ApplicationELB", "metric_name": "TargetResponseTime",
       "extended_statistic": "p99", "dimensions": {"LoadBalancer": "app/t/1"}, "period": 300, "evaluation_periods": 1,
       "threshold": 3, "comparison_operator": "GreaterThanThreshold"}
BILLING = {"name": "t-alarm-billing", "region": "us-east-1", "namespace": "AWS/Billing", "metric_name": "EstimatedCharges",
           "statistic": "Maximum", "dimensions": {"Currency": "USD"}, "period": 86400, "evaluation_periods": 1,
           "threshold": 500, "comparison_operator": "GreaterThanThreshold"}
LOGS = [{"name": "/t/test/nginx", "retention_days": 30}, {"name": "/t/test/app", "retention_days": 30}]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield {"cw": boto3.client("cloudwatch", region_name=REGION),
               "cw_us": boto3.client("cloudwatch", region_name="us-east-1"),
               "sns": boto3.client("sns", region_name=REGION),
               "sns_us": boto3.client("sns", region_name="us-east-1"),
               "logs": boto3.client("logs", region_name=REGION)}


def run(capsys, check_mode=False, **overrides):
    args = {"region": REGION, "alarms": [CPU, RATE, P99, BILLING], "topic": TOPIC, "log_groups": LOGS,
            "purge_alarms": True, "purge_prefix": "t-alarm-", "purge_regions": ["us-east-1"],
            "tags": {"Project": "t", "Environment": "test"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            cloudwatch_alarm_set.main()
    return json.loads(capsys.readouterr().out)


def alarms(client, prefix="t-alarm-"):
    return {a["AlarmName"]: a for a in client.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]}


def test_creates_everything_then_rerun_changes_nothing(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    home = alarms(aws["cw"])
    assert set(home) == {"t-alarm-cpu", "t-alarm-5xx-rate", "t-alarm-latency"}
    assert set(alarms(aws["cw_us"])) == {"t-alarm-billing"}
    topic_arn = first["topic_arn"]
    assert topic_arn.endswith(":t-alarms") and ":ap-southeast-1:" in topic_arn
    assert first["topic_arns"]["us-east-1"].endswith(":t-alarms") and ":us-east-1:" in first["topic_arns"]["us-east-1"]
    assert home["t-alarm-cpu"]["AlarmActions"] == [topic_arn]
    assert home["t-alarm-cpu"]["OKActions"] == [topic_arn]
    assert home["t-alarm-latency"]["OKActions"] == []
    assert home["t-alarm-latency"]["ExtendedStatistic"] == "p99"
    rate = home["t-alarm-5xx-rate"]
    assert [q["Id"] for q in rate["Metrics"]] == ["rate", "errors", "requests"]
    assert [q["ReturnData"] for q in rate["Metrics"]] == [True, False, False]
    billing = alarms(aws["cw_us"])["t-alarm-billing"]
    assert billing["AlarmActions"] == [first["topic_arns"]["us-east-1"]]
    assert billing["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
    groups = {g["logGroupName"]: g for g in aws["logs"].describe_log_groups(logGroupNamePrefix="/t/")["logGroups"]}
    assert {n: g["retentionInDays"] for n, g in groups.items()} == {"/t/test/nginx": 30, "/t/test/app": 30}
    [sub] = aws["sns"].list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert (sub["Protocol"], sub["Endpoint"]) == ("email", "ops@example.com")
    tags = aws["cw"].list_tags_for_resource(ResourceARN=home["t-alarm-cpu"]["AlarmArn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Project": "t", "Environment": "test"}

    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert second["topic_arn"] == topic_arn
    assert [a["arn"] for a in second["alarms"]] == [home[n]["AlarmArn"] for n in ("t-alarm-cpu", "t-alarm-5xx-rate",
                                                                                  "t-alarm-latency")] + [billing["AlarmArn"]]


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert "create SNS topic t-alarms" in result["actions"]
    assert "create alarm t-alarm-billing (us-east-1)" in result["actions"]
    assert "create log group /t/test/nginx" in result["actions"]
    assert alarms(aws["cw"]) == {} and alarms(aws["cw_us"]) == {}
    assert aws["sns"].list_topics()["Topics"] == []
    assert aws["logs"].describe_log_groups()["logGroups"] == []
    assert result["diff"]["after"]["alarms"]["t-alarm-cpu"]["alarm_actions"] == ["(new SNS topic t-alarms)"]


def test_changed_threshold_is_one_put_and_check_mode_only_reports_it(aws, capsys):
    run(capsys)
    cpu = dict(CPU, threshold=70)
    check = run(capsys, check_mode=True, alarms=[cpu, RATE, P99, BILLING])
    assert check["actions"] == ["update alarm t-alarm-cpu"]
    assert alarms(aws["cw"])["t-alarm-cpu"]["Threshold"] == 80.0
    result = run(capsys, alarms=[cpu, RATE, P99, BILLING])
    assert result["actions"] == ["update alarm t-alarm-cpu"]
    assert result["diff"]["before"]["alarms"]["t-alarm-cpu"]["threshold"] == 80.0
    assert result["diff"]["after"]["alarms"]["t-alarm-cpu"]["threshold"] == 70.0
    assert alarms(aws["cw"])["t-alarm-cpu"]["Threshold"] == 70.0
    assert run(capsys, alarms=[cpu, RATE, P99, BILLING])["changed"] is False


def test_drifted_alarm_and_retention_are_repaired(aws, capsys):
    run(capsys)
    aws["cw"].put_metric_alarm(AlarmName="t-alarm-latency", MetricName="TargetResponseTime", Namespace="AWS/ApplicationELB",
                               ExtendedStatistic="p99", Period=300, EvaluationPeriods=3, Threshold=3.0,
                               ComparisonOperator="GreaterThanThreshold")
    aws["logs"].put_retention_policy(logGroupName="/t/test/app", retentionInDays=7)
    result = run(capsys)
    assert sorted(result["actions"]) == ["set retention of /t/test/app to 30 days", "update alarm t-alarm-latency"]
    latency = alarms(aws["cw"])["t-alarm-latency"]
    assert latency["EvaluationPeriods"] == 1
    assert latency["AlarmActions"] == [result["topic_arn"]]
    assert run(capsys)["changed"] is False


def test_unlisted_alarms_under_the_prefix_are_purged_others_kept(aws, capsys):
    run(capsys)
    aws["cw"].put_metric_alarm(AlarmName="someone-elses", MetricName="x", Namespace="y", Statistic="Sum", Period=60,
                               EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    result = run(capsys, alarms=[CPU, RATE])
    assert sorted(result["deleted_alarms"]) == ["ap-southeast-1/t-alarm-latency", "us-east-1/t-alarm-billing"]
    assert set(alarms(aws["cw"])) == {"t-alarm-cpu", "t-alarm-5xx-rate"}
    assert alarms(aws["cw_us"]) == {}
    assert "someone-elses" in alarms(aws["cw"], prefix="someone")
    kept = run(capsys, alarms=[CPU], purge_alarms=False)
    assert kept["deleted_alarms"] == [] and "t-alarm-5xx-rate" in alarms(aws["cw"])


def test_tags_are_reconciled_on_alarms_topic_and_log_groups(aws, capsys):
    first = run(capsys)
    arn = alarms(aws["cw"])["t-alarm-cpu"]["AlarmArn"]
    aws["cw"].tag_resource(ResourceARN=arn, Tags=[{"Key": "Owner", "Value": "ops"}])
    kept = run(capsys, purge_tags=False)
    assert kept["changed"] is False
    result = run(capsys, tags={"Project": "t", "Environment": "staging"})
    untag = [a for a in result["actions"] if a.startswith("untag")]
    assert untag == ["untag %s" % arn]
    topic_tags = aws["sns"].list_tags_for_resource(ResourceArn=first["topic_arn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in topic_tags}["Environment"] == "staging"
    group = aws["logs"].describe_log_groups(logGroupNamePrefix="/t/test/nginx")["logGroups"][0]
    assert aws["logs"].list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"]["Environment"] == "staging"


def test_subscription_list_is_converged(aws, capsys):
    first = run(capsys)
    topic = {"name": "t-alarms", "subscriptions": [{"protocol": "email", "endpoint": "oncall@example.com"}]}
    result = run(capsys, topic=topic)
    assert "subscribe email:oncall@example.com to SNS topic t-alarms" in result["actions"]
    assert "unsubscribe email:ops@example.com from SNS topic t-alarms" in result["actions"]
    subs = aws["sns"].list_subscriptions_by_topic(TopicArn=first["topic_arn"])["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == ["oncall@example.com"]


def test_unconfirmed_subscription_is_neither_recreated_nor_removed():
    """Real SNS lists an unconfirmed e-mail subscription with the ARN "PendingConfirmation" and
    refuses to delete it; moto confirms at once, so this part uses a stand-in client."""
    from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
    from ansible_collections.webstack.aws.plugins.module_utils.sns_topics import TopicManager

    class Module:
        check_mode = False
        warnings = []

        def warn(self, message):
            self.warnings.append(message)

    class Sns:
        calls = []

        def can_paginate(self, operation):
            return False

        def list_topics(self, **_):
            return {"Topics": [{"TopicArn": "arn:aws:sns:r:1:t"}]}

        def list_subscriptions_by_topic(self, **_):
            return {"Subscriptions": [
                {"Protocol": "email", "Endpoint": "new@example.com", "SubscriptionArn": "PendingConfirmation"},
                {"Protocol": "email", "Endpoint": "gone@example.com", "SubscriptionArn": "PendingConfirmation"}]}

        def __getattr__(self, name):
            def call(**kwargs):
                self.calls.append(name)
            return call

    module = Module()
    tracker = ChangeTracker(module)
    client = Sns()
    TopicManager(module, client, tracker).ensure("t", subscriptions=[{"protocol": "email", "endpoint": "new@example.com"}])
    assert client.calls == []
    assert tracker.changed is False
    assert "gone@example.com" in module.warnings[0]


@pytest.mark.parametrize("overrides, fragment", [
    ({"log_groups": [{"name": "/t/x", "retention_days": 45}]}, "log_groups[0].retention_days: 45 is not a retention"),
    ({"topic": {"name": "t", "subscriptions": [{"protocol": "email", "endpoint": "not-an-address"}]}},
     "topic.subscriptions[0].endpoint: 'not-an-address' is not a valid email address"),
    ({"alarms": [dict(CPU, period=90)]}, "alarms[0] (t-alarm-cpu).period: 90 must be 10, 20, 30 or a multiple of 60"),
    ({"alarms": [dict(CPU, metrics=RATE["metrics"])]}, "give exactly one of metric_name and metrics"),
    ({"alarms": [dict(CPU, extended_statistic="p99")]}, "give exactly one of statistic and extended_statistic"),
    ({"alarms": [dict(RATE, metrics=[dict(q, return_data=True) for q in RATE["metrics"]])]},
     "exactly one query must have return_data true"),
    ({"alarms": [dict(CPU, datapoints_to_alarm=3)]}, "datapoints_to_alarm 3 exceeds evaluation_periods 1"),
    ({"purge_prefix": None}, "purge_prefix: required with purge_alarms=true"),
    ({"alarms": [CPU, CPU]}, "alarms[1].name: t-alarm-cpu is listed twice"),
])
def test_bad_input_fails_before_any_call(aws, capsys, overrides, fragment):
    result = run(capsys, **overrides)
    assert result["failed"] is True
    assert fragment in result["msg"], result["msg"]
    assert aws["sns"].list_topics()["Topics"] == []
    assert aws["logs"].describe_log_groups()["logGroups"] == []


def test_absent_removes_alarms_topics_and_log_groups(aws, capsys):
    run(capsys)
    gone = run(capsys, state="absent")
    assert gone["changed"] is True
    assert alarms(aws["cw"]) == {} and alarms(aws["cw_us"]) == {}
    assert aws["sns"].list_topics()["Topics"] == [] and aws["sns_us"].list_topics()["Topics"] == []
    assert aws["logs"].describe_log_groups()["logGroups"] == []
    assert run(capsys, state="absent")["changed"] is False


# --- the observability role's input checks (plugins/module_utils/observability_spec.py) --------

GOOD_INPUTS = {
    "observability_project": "innobic", "observability_environment": "production", "observability_app": "laravel",
    "observability_alarms_enabled": ["cpu", "memory"], "observability_period": 300, "observability_evaluation_periods": 1,
    "observability_cpu_threshold": 80, "observability_cpu_evaluation_periods": 1, "observability_memory_threshold": 90,
    "observability_disk_threshold": 85, "observability_db_connections_threshold": 180,
    "observability_error_rate_threshold": 1, "observability_error_count_threshold": 10,
    "observability_response_time_threshold": 3, "observability_response_time_statistic": "p90",
    "observability_billing_threshold": 500, "observability_billing_currency": "USD", "observability_billing_period": 86400,
    "observability_alarm_subscriptions": [{"protocol": "email", "endpoint": "ops@innobic.example"},
                                          {"protocol": "https", "endpoint": "https://hooks.example/alarm"}],
    "observability_alarm_extra_actions": [], "observability_log_groups": ["/innobic/production/nginx"],
    "observability_log_retention_days": 30, "observability_alb_arn": "", "observability_target_group_arn": "",
}


def test_sound_observability_inputs_have_no_error():
    from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import observability_input_errors

    assert observability_input_errors(GOOD_INPUTS) == []


@pytest.mark.parametrize("change, message", [
    ({"observability_cpu_threshold": 120}, "observability_cpu_threshold: 120 must be a percentage"),
    ({"observability_disk_threshold": 0}, "observability_disk_threshold: 0 must be a percentage"),
    ({"observability_log_retention_days": 45}, "observability_log_retention_days: 45 is not a retention"),
    ({"observability_alarm_subscriptions": [{"protocol": "email", "endpoint": "ops@"}]},
     "observability_alarm_subscriptions[0].endpoint: 'ops@' is not a valid email address"),
    ({"observability_alarm_subscriptions": [{"protocol": "https", "endpoint": "http://x"}]},
     "observability_alarm_subscriptions[0].endpoint: 'http://x' must be a https:// URL"),
    ({"observability_alarm_subscriptions": [{"protocol": "pager", "endpoint": "x"}]},
     "observability_alarm_subscriptions[0].protocol: 'pager' must be one of"),
    ({"observability_response_time_statistic": "median"}, "observability_response_time_statistic: 'median'"),
    ({"observability_billing_period": 3600}, "observability_billing_period: 3600 must be at least 21600"),
    ({"observability_alb_arn": "app/x/1"}, "observability_alb_arn: 'app/x/1' is not an ARN"),
    ({"observability_app": "django"}, "observability_app: 'django' must be one of laravel, fastapi"),
    ({"observability_log_groups": ["/bad group"]}, "observability_log_groups[0]: '/bad group' is not a valid log group name"),
])
def test_bad_observability_inputs_name_the_variable(change, message):
    from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import observability_input_errors

    errors = observability_input_errors(dict(GOOD_INPUTS, **change))
    assert any(e.startswith(message) for e in errors), errors


def test_dimensions_from_arns():
    from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import load_balancer_dimension
    from ansible_collections.webstack.aws.plugins.module_utils.observability_spec import target_group_dimension

    alb = "arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:loadbalancer/app/innobic-production-alb/50dc6c495c0c9188"
    tg = "arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:targetgroup/innobic-production-tg/73e2d6bc24d8a067"
    assert load_balancer_dimension(alb) == "app/innobic-production-alb/50dc6c495c0c9188"
    assert target_group_dimension(tg) == "targetgroup/innobic-production-tg/73e2d6bc24d8a067"
