"""The edge tier's input checks (plugins/module_utils/edge_spec.py, behind the edge_input_errors
filter), and the comparison helpers the edge modules share (desired_state, dns_records)."""

from __future__ import annotations

import pytest

from ansible_collections.webstack.aws.plugins.module_utils import dns_records
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import contains
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import missing_keys
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import edge_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.edge_spec import tls_policy_errors

GOOD = {
    "edge_project": "innobic", "edge_environment": "production", "edge_domain": "example.com",
    "edge_tls_enabled": True, "edge_tls_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "edge_alb_name": "innobic-production-alb", "edge_target_group_name": "innobic-production-tg",
    "edge_target_port": 80, "edge_alb_idle_timeout": 60,
    "edge_health_check": {"path": "/health", "interval": 30, "timeout": 5, "healthy_threshold": 2,
                          "unhealthy_threshold": 3, "matcher": "200"},
    "edge_dns_alias_names": ["", "www", "api"],
    "edge_waf_enabled": True, "edge_waf_rate_limit": 1000, "edge_waf_rate_window": 300, "edge_waf_admin_path": "/admin",
    "edge_waf_admin_allowed_cidrs": ["203.0.113.0/24"], "edge_waf_geo_allow_countries": [], "edge_waf_geo_block_countries": [],
    "edge_cloudfront_enabled": True, "edge_cloudfront_price_class": "PriceClass_All", "edge_cloudfront_bucket": "b",
    "edge_cloudfront_behaviors": [{"path": "/", "origin": "alb"}, {"path": "/css/*", "origin": "alb", "ttl": 31536000}],
    "network_subnet_ids": {"public": {"a": "subnet-1", "b": "subnet-2"}}, "security_groups_ids": {"alb": "sg-1"},
}


def test_the_guides_settings_pass():
    assert edge_input_errors(GOOD) == []


def test_tls_off_without_a_domain_passes():
    assert edge_input_errors(dict(GOOD, edge_domain="", edge_tls_enabled=False)) == []


@pytest.mark.parametrize("change, message", [
    ({"edge_domain": ""}, "edge_domain: edge_tls_enabled is true but edge_domain is empty"),
    ({"edge_tls_enabled": "yes", "edge_domain": ""}, "edge_domain: edge_tls_enabled is true"),
    ({"edge_domain": "Example.COM"}, "edge_domain: 'Example.COM' is not a lowercase domain"),
    ({"edge_tls_policy": "ELBSecurityPolicy-2016-08"}, "edge_tls_policy: 'ELBSecurityPolicy-2016-08' allows TLS older than 1.2"),
    ({"edge_alb_name": "innobic-production-application-lb-1"}, "edge_alb_name:"),
    ({"edge_target_port": 70000}, "edge_target_port: 70000 must be a port"),
    ({"edge_health_check": dict(GOOD["edge_health_check"], timeout=30)},
     "edge_health_check.timeout: 30 s must be shorter than edge_health_check.interval (30 s)"),
    ({"edge_health_check": dict(GOOD["edge_health_check"], healthy_threshold=1)}, "edge_health_check.healthy_threshold: 1 must be 2-10"),
    ({"edge_health_check": dict(GOOD["edge_health_check"], path="health")}, "edge_health_check.path: 'health' must start with /"),
    ({"edge_health_check": dict(GOOD["edge_health_check"], matcher="ok")}, "edge_health_check.matcher"),
    ({"edge_dns_alias_names": ["", "bad name"]}, "edge_dns_alias_names[1]"),
    ({"edge_waf_rate_limit": 5}, "edge_waf_rate_limit: 5 must be 10-2000000000"),
    ({"edge_waf_rate_window": 900}, "edge_waf_rate_window: 900 must be one of 60, 120, 300, 600"),
    ({"edge_waf_admin_allowed_cidrs": ["203.0.113.1/24"]}, "edge_waf_admin_allowed_cidrs[0]"),
    ({"edge_waf_geo_allow_countries": ["sg"]}, "edge_waf_geo_allow_countries[0]: 'sg' is not a two-letter country code"),
    ({"edge_waf_geo_block_countries": ["RU"], "edge_waf_geo_allow_countries": ["SG"]}, "give either"),
    ({"edge_cloudfront_price_class": "PriceClass_50"}, "edge_cloudfront_price_class"),
    ({"edge_cloudfront_bucket": ""}, "edge_cloudfront_bucket: CloudFront needs the S3 bucket"),
    ({"edge_cloudfront_behaviors": [{"path": "/x", "origin": "s3"}]}, "edge_cloudfront_behaviors[0].origin"),
    ({"network_subnet_ids": {"public": {"a": "subnet-1"}}}, "network_subnet_ids: the ALB needs public subnets in at least two zones"),
    ({"security_groups_ids": {}}, "security_groups_ids: the ALB needs security_groups_ids.alb"),
])
def test_bad_input_names_the_variable(change, message):
    errors = edge_input_errors(dict(GOOD, **change))
    assert any(message in e for e in errors), errors


def test_waf_and_cloudfront_settings_are_ignored_when_disabled():
    broken = dict(GOOD, edge_waf_enabled=False, edge_waf_rate_limit=1, edge_cloudfront_enabled=False, edge_cloudfront_bucket="")
    assert edge_input_errors(broken) == []


@pytest.mark.parametrize("policy, accepted", [
    ("ELBSecurityPolicy-TLS13-1-2-2021-06", True),
    ("ELBSecurityPolicy-TLS13-1-3-2021-06", True),
    ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", True),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", True),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", True),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", True),
    ("ELBSecurityPolicy-2016-08", False),
    ("ELBSecurityPolicy-2015-05", False),
    ("ELBSecurityPolicy-TLS-1-0-2015-04", False),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", False),
    ("ELBSecurityPolicy-FS-2018-06", False),
    ("ELBSecurityPolicy-FS-1-1-2019-08", False),
    ("ELBSecurityPolicy-TLS13-1-0-2021-06", False),
    ("ELBSecurityPolicy-TLS13-1-1-2021-06", False),
])
def test_only_tls12_policies_are_accepted(policy, accepted):
    assert (tls_policy_errors("p", policy) == []) is accepted


def test_contains_ignores_defaults_aws_adds_but_not_differences():
    current = {"A": 1, "B": {"C": [1, 2], "D": "x"}, "Extra": True}
    assert contains(current, {"A": 1, "B": {"C": [1, 2]}})
    assert not contains(current, {"B": {"C": [2, 1]}})
    assert not contains(current, {"B": {"C": [1]}})
    assert not contains(current, {"A": 2})
    assert contains({"S": b"/admin"}, {"S": "/admin"})


def test_missing_keys_reports_what_an_answer_lacks():
    assert missing_keys({"A": {"B": 1}}, {"A": {"B": 1, "C": 2}, "D": 3}) == ["A.C", "D"]


def test_tag_changes_keeps_aws_tags_and_honours_purge():
    to_set, to_unset = tag_changes({"a": "1", "b": "2", "aws:x": "y"}, {"a": "9"}, purge_tags=True)
    assert to_set == {"a": "9"}
    assert to_unset == ["b"]
    assert tag_changes({"b": "2"}, {"a": "1"}, purge_tags=False) == ({"a": "1"}, [])
    assert tag_changes({"b": "2"}, None, purge_tags=True) == ({}, [])


@pytest.mark.parametrize("name, expected", [
    ("", "example.com."), ("@", "example.com."), ("www", "www.example.com."),
    ("api.example.com", "api.example.com."), ("API.Example.com.", "api.example.com."),
    ("x.example", "x.example.example.com."), ("\\052.example.com.", "*.example.com."),
])
def test_record_names_are_made_absolute(name, expected):
    assert dns_records.absolute_name(name, "example.com") == expected


def test_record_sets_compare_without_case_order_or_trailing_dot():
    current = {"Name": "example.com.", "Type": "MX", "TTL": 300,
               "ResourceRecords": [{"Value": "20 B.example.net."}, {"Value": "10 a.example.net"}]}
    desired = dns_records.desired_record_set({"name": "", "type": "MX", "ttl": 300,
                                              "values": ["10 a.example.net", "20 b.example.net"]}, "example.com")
    assert dns_records.comparable(current) == dns_records.comparable(desired)
    alias = {"Name": "www.example.com.", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z1", "DNSName": "dualstack.t-alb-1.elb.amazonaws.com.", "EvaluateTargetHealth": True}}
    changes, _pairs = dns_records.upsert_changes(
        {("www.example.com.", "A"): alias},
        [dns_records.desired_record_set({"name": "www", "type": "A", "alias": {
            "dns_name": "dualstack.T-ALB-1.elb.amazonaws.com", "hosted_zone_id": "Z1", "evaluate_target_health": True}},
            "example.com")])
    assert changes == []
