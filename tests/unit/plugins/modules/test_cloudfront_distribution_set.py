"""cloudfront_distribution_set and cloudfront_origin_access_control against moto in-process
(mock_aws): seed 000's distribution (ALB and files-bucket origins, the guide's behaviours) and
seed 003's (frontend bucket with SPA fallback plus the API), re-runs without an update, drift
repaired with one UpdateDistribution, check mode.

moto's GetDistributionConfig drops S3OriginConfig and OriginAccessControlId of S3 origins, so
the comparison of the OAC id is tested against an AWS-shaped answer with botocore's Stubber."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.stub import ANY
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import cloudfront_distribution_set
from ansible_collections.webstack.aws.plugins.modules import cloudfront_origin_access_control

REGION = "ap-southeast-1"
BUCKET = "innobic-files-production.s3.ap-southeast-1.amazonaws.com"
LARAVEL = {
    "name": "t-cdn", "region": REGION, "price_class": "PriceClass_All", "http_version": "http2and3",
    "origin_access_controls": [{"name": "t-files"}],
    "origins": [
        {"id": "alb", "domain_name": "api.example.com", "protocol_policy": "https-only"},
        {"id": "bucket", "domain_name": BUCKET, "s3": True, "origin_access_control": "t-files"},
    ],
    "default_behavior": {"origin": "alb", "methods": "all", "cache_policy": "CachingDisabled",
                         "origin_request_policy": "AllViewerExceptHostHeader"},
    "behaviors": [
        {"path": "/api/*", "origin": "alb", "methods": "all", "cache_policy": "CachingDisabled",
         "origin_request_policy": "AllViewerExceptHostHeader"},
        {"path": "/admin/*", "origin": "alb", "methods": "all", "cache_policy": "CachingDisabled",
         "origin_request_policy": "AllViewerExceptHostHeader"},
        {"path": "/css/*", "origin": "alb", "ttl": 31536000},
        {"path": "/js/*", "origin": "alb", "ttl": 31536000},
        {"path": "/images/*", "origin": "bucket", "ttl": 2592000},
    ],
    "tags": {"Project": "t"},
}
FASTAPI = {
    "name": "t-spa", "region": REGION, "default_root_object": "index.html",
    "origin_access_controls": [{"name": "t-frontend"}],
    "origins": [
        {"id": "bucket", "domain_name": "t-frontend.s3.ap-southeast-1.amazonaws.com", "s3": True,
         "origin_access_control": "t-frontend"},
        {"id": "alb", "domain_name": "api.example.com"},
    ],
    "default_behavior": {"origin": "bucket", "cache_policy": "CachingOptimized"},
    "behaviors": [{"path": "/api/*", "origin": "alb", "methods": "all", "cache_policy": "CachingDisabled",
                   "origin_request_policy": "AllViewerExceptHostHeader"}],
    "custom_error_responses": [{"error_code": 403, "response_code": 200, "response_page_path": "/index.html"},
                               {"error_code": 404, "response_code": 200, "response_page_path": "/index.html"}],
}


@pytest.fixture
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("cloudfront", region_name="us-east-1")


def run(capsys, module, args, check_mode=False):
    args = copy.deepcopy(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def config_of(aws, distribution_id):
    return aws.get_distribution_config(Id=distribution_id)["DistributionConfig"]


def test_laravel_distribution_follows_the_guide_and_reruns_without_update(aws, capsys):
    first = run(capsys, cloudfront_distribution_set, LARAVEL)
    assert first["changed"] is True
    assert first["actions"] == ["create origin access control t-files", "create distribution t-cdn"]
    config = config_of(aws, first["distribution"]["id"])
    assert config["PriceClass"] == "PriceClass_All"
    assert config["HttpVersion"] == "http2and3"
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}
    assert list(behaviors) == ["/api/*", "/admin/*", "/css/*", "/js/*", "/images/*"]
    for path in ("/api/*", "/admin/*"):
        assert behaviors[path]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
        assert behaviors[path]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    for path in ("/css/*", "/js/*"):
        assert behaviors[path]["DefaultTTL"] == behaviors[path]["MaxTTL"] == 31536000
    assert behaviors["/images/*"]["DefaultTTL"] == 2592000
    assert behaviors["/images/*"]["TargetOriginId"] == "bucket"
    assert all(b["Compress"] for b in behaviors.values())
    assert config["DefaultCacheBehavior"]["Compress"] is True
    alb = [o for o in config["Origins"]["Items"] if o["Id"] == "alb"][0]
    assert alb["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    oacs = aws.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert [(o["Name"], o["SigningBehavior"], o["OriginAccessControlOriginType"]) for o in oacs] == [("t-files", "always", "s3")]

    second = run(capsys, cloudfront_distribution_set, LARAVEL)
    assert second["changed"] is False, second["actions"]
    assert second["distribution"]["id"] == first["distribution"]["id"]
    assert len(aws.list_distributions()["DistributionList"]["Items"]) == 1


def test_fastapi_spa_fallback_and_default_root(aws, capsys):
    first = run(capsys, cloudfront_distribution_set, FASTAPI)
    config = config_of(aws, first["distribution"]["id"])
    assert config["DefaultRootObject"] == "index.html"
    errors = {e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]["Items"]}
    assert errors == {403: ("200", "/index.html"), 404: ("200", "/index.html")}
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "bucket"
    assert run(capsys, cloudfront_distribution_set, FASTAPI)["changed"] is False


def test_drift_is_repaired_with_one_update(aws, capsys):
    first = run(capsys, cloudfront_distribution_set, LARAVEL)
    answer = aws.get_distribution_config(Id=first["distribution"]["id"])
    drifted = answer["DistributionConfig"]
    drifted["PriceClass"] = "PriceClass_100"
    aws.update_distribution(Id=first["distribution"]["id"], IfMatch=answer["ETag"], DistributionConfig=drifted)
    check = run(capsys, cloudfront_distribution_set, LARAVEL, check_mode=True)
    assert check["changed"] is True
    assert check["diff"]["before"]["distribution"]["t-cdn"]["price_class"] == "PriceClass_100"
    repaired = run(capsys, cloudfront_distribution_set, LARAVEL)
    assert repaired["actions"] == ["update distribution t-cdn"]
    assert config_of(aws, first["distribution"]["id"])["PriceClass"] == "PriceClass_All"
    assert run(capsys, cloudfront_distribution_set, LARAVEL)["changed"] is False


def test_check_mode_creates_nothing(aws, capsys):
    result = run(capsys, cloudfront_distribution_set, LARAVEL, check_mode=True)
    assert result["changed"] is True
    assert aws.list_distributions()["DistributionList"].get("Items", []) == []
    assert aws.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []


def test_origin_access_control_module(aws, capsys):
    args = {"region": REGION, "origin_access_controls": [{"name": "t-a", "description": "A"}, {"name": "t-b"}]}
    first = run(capsys, cloudfront_origin_access_control, args)
    assert first["changed"] is True
    assert set(first["ids"]) == {"t-a", "t-b"}
    assert run(capsys, cloudfront_origin_access_control, args)["changed"] is False
    changed = run(capsys, cloudfront_origin_access_control,
                  dict(args, origin_access_controls=[{"name": "t-a", "description": "B"}, {"name": "t-b"}]))
    assert changed["actions"] == ["update origin access control t-a"]
    gone = run(capsys, cloudfront_origin_access_control, dict(args, state="absent"))
    assert gone["changed"] is True
    assert aws.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []


@pytest.mark.parametrize("change, fragment", [
    ({"behaviors": [{"path": "api/*", "origin": "alb"}]}, "behaviors[0].path: 'api/*' must start with /"),
    ({"behaviors": [{"path": "/x/*", "origin": "nowhere"}]}, "behaviors[0].origin: 'nowhere' is not an id in origins"),
    ({"default_behavior": {"origin": "alb", "cache_policy": "CachingDisabled", "ttl": 5}}, "give either cache_policy or ttl"),
    ({"aliases": ["cdn.example.com"]}, "certificate_arn: aliases need an ACM certificate"),
])
def test_bad_input_fails_before_any_call(aws, capsys, change, fragment):
    result = run(capsys, cloudfront_distribution_set, dict(LARAVEL, **change))
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws.list_distributions()["DistributionList"].get("Items", []) == []


def aws_shaped_config(oac_id):
    """What AWS's GetDistributionConfig answers for FASTAPI (every key, defaults filled in, sets in
    another order), built from the module's own request plus the keys AWS adds."""
    builder = cloudfront_distribution_set.ConfigBuilder(
        dict(FASTAPI, enabled=True, aliases=[], certificate_arn=None, minimum_protocol_version="TLSv1.2_2021",
             price_class="PriceClass_All", http_version="http2and3", ipv6=True, web_acl_id="",
             origins=[dict({"origin_path": "", "custom_headers": {}, "http_port": 80, "https_port": 443,
                            "protocol_policy": "https-only", "ssl_protocols": ["TLSv1.2"], "read_timeout": 30,
                            "keepalive_timeout": 5, "s3": False, "origin_access_control": None}, **o)
                      for o in FASTAPI["origins"]],
             custom_error_responses=[dict(e, caching_min_ttl=10) for e in FASTAPI["custom_error_responses"]]),
        {"t-frontend": oac_id})
    config = builder.config("t-spa")
    config["DefaultCacheBehavior"]["AllowedMethods"]["Items"] = ["HEAD", "GET"]
    config["DefaultCacheBehavior"]["GrpcConfig"] = {"Enabled": False}
    config["ViewerCertificate"].update({"SSLSupportMethod": "vip", "MinimumProtocolVersion": "TLSv1",
                                        "CertificateSource": "cloudfront"})
    config["ContinuousDeploymentPolicyId"] = ""
    config["Staging"] = False
    for origin in config["Origins"]["Items"]:
        origin["OriginShield"] = {"Enabled": False}
    return config


def stubbed_run(monkeypatch, capsys, current_oac_in_config):
    """Stubber: an AWS-shaped answer (the local AWS drops OriginAccessControlId)."""
    client = boto3.client("cloudfront", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response("list_origin_access_controls", {"OriginAccessControlList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 1, "Items": [
            {"Id": "E2OAC", "Name": "t-frontend", "Description": "", "SigningProtocol": "sigv4",
             "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}]}})
    arn = "arn:aws:cloudfront::123456789012:distribution/E1DIST"
    stubber.add_response("list_distributions", {"DistributionList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 1, "Items": [{
            "Id": "E1DIST", "ARN": arn, "Status": "Deployed", "LastModifiedTime": "2025-01-01T00:00:00Z",
            "DomainName": "d1.cloudfront.net", "Aliases": {"Quantity": 0},
            "Origins": {"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "t-frontend.s3.ap-southeast-1.amazonaws.com"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "redirect-to-https"},
            "CacheBehaviors": {"Quantity": 0}, "CustomErrorResponses": {"Quantity": 0}, "Comment": "t-spa",
            "PriceClass": "PriceClass_All", "Enabled": True, "ViewerCertificate": {},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}}, "WebACLId": "",
            "HttpVersion": "http2and3", "IsIPV6Enabled": True, "Staging": False}]}})
    stubber.add_response("get_distribution_config", {"DistributionConfig": aws_shaped_config(current_oac_in_config),
                                                     "ETag": "ETAG1"})
    if current_oac_in_config != "E2OAC":
        stubber.add_response("update_distribution", {"Distribution": {
            "Id": "E1DIST", "ARN": arn, "Status": "InProgress", "LastModifiedTime": "2025-01-01T00:00:00Z",
            "InProgressInvalidationBatches": 0, "DomainName": "d1.cloudfront.net",
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": aws_shaped_config("E2OAC")}, "ETag": "ETAG2"},
            {"Id": "E1DIST", "IfMatch": "ETAG1", "DistributionConfig": ANY})
    stubber.activate()
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))
    monkeypatch.setattr(cloudfront_distribution_set.AnsibleAWSModule, "client", lambda self, *a, **k: wrapped)
    args = {k: v for k, v in FASTAPI.items() if k != "origin_access_controls"}
    result = run(capsys, cloudfront_distribution_set, args)
    stubber.assert_no_pending_responses()
    return result


def test_aws_shaped_answer_counts_as_converged(monkeypatch, capsys):
    result = stubbed_run(monkeypatch, capsys, "E2OAC")
    assert result["changed"] is False, result


def test_aws_shaped_answer_with_another_oac_is_updated(monkeypatch, capsys):
    result = stubbed_run(monkeypatch, capsys, "E9OTHER")
    assert result["actions"] == ["update distribution t-spa"]
