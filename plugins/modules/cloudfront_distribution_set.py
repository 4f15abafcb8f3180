#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudfront_distribution_set
short_description: Converge a CloudFront distribution and the origin access controls its origins use, in one call
version_added: 0.2.0
description:
  - Creates or updates a web distribution - S3 origins read through an origin access control,
    custom origins (an ALB), a default and ordered cache behaviours with managed cache and
    origin request policies or legacy TTLs, custom error responses (an SPA fallback), price
    class, HTTP version, an ACM certificate for aliases.
  - Builds the whole C(DistributionConfig), compares it with C(GetDistributionConfig)'s after
    normalisation (lists that CloudFront keeps as sets are sorted; defaults CloudFront adds are
    not compared) and calls C(UpdateDistribution) with the ETag only on a real difference.
    M(community.aws.cloudfront_distribution) updates on every run.
  - The distribution is found again by its comment, which holds O(name).
  - Keys that C(GetDistributionConfig) does not return at all are not compared. AWS returns
    every key of the configuration; the local AWS (moto) drops C(S3OriginConfig) and
    C(OriginAccessControlId) of S3 origins, so there these two cannot be checked.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  name:
    description: The distribution's name, kept as its comment and caller reference.
    type: str
    required: true
  state:
    description:
      - V(absent) disables the distribution and, once it is deployed (O(wait)), deletes it;
        without O(wait) a second run deletes it after CloudFront has deployed the disabling.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description: Whether the distribution serves requests.
    type: bool
    default: true
  aliases:
    description: Alternate domain names; they need O(certificate_arn).
    type: list
    elements: str
    default: []
  certificate_arn:
    description: An ACM certificate in us-east-1 covering O(aliases); without it the C(*.cloudfront.net) certificate is used.
    type: str
  minimum_protocol_version:
    description: The lowest TLS version viewers may use with O(certificate_arn).
    type: str
    default: TLSv1.2_2021
  default_root_object:
    description: The object served for C(/), for example C(index.html).
    type: str
    default: ''
  price_class:
    description: The edge locations used.
    type: str
    choices: [PriceClass_All, PriceClass_200, PriceClass_100]
    default: PriceClass_All
  http_version:
    description: The highest HTTP version viewers may use.
    type: str
    choices: [http1.1, http2, http3, http2and3]
    default: http2and3
  ipv6:
    description: Whether IPv6 is enabled.
    type: bool
    default: true
  web_acl_id:
    description: The ARN of a WAFv2 web ACL of scope CLOUDFRONT.
    type: str
    default: ''
  origin_access_controls:
    description: Origin access controls to ensure first (as M(webstack.aws.cloudfront_origin_access_control) does).
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: The OAC's name., type: str, required: true}
      description: {description: Its description., type: str, default: ''}
      origin_type: {description: The kind of origin., type: str, choices: [s3, mediastore, lambda, mediapackagev2], default: s3}
      signing_behavior: {description: When to sign., type: str, choices: [always, never, no-override], default: always}
      signing_protocol: {description: The protocol., type: str, choices: [sigv4], default: sigv4}
  origins:
    description: The origins.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: The origin's id, referred to by behaviours.
        type: str
        required: true
      domain_name:
        description: An S3 bucket's regional domain (C(<bucket>.s3.<region>.amazonaws.com)) or a custom origin's host name.
        type: str
        required: true
      origin_path:
        description: A path prefix at the origin.
        type: str
        default: ''
      s3:
        description: Whether this is an S3 bucket origin (read through O(origins[].origin_access_control)).
        type: bool
        default: false
      origin_access_control:
        description: The name of the origin access control an S3 origin is read with.
        type: str
      protocol_policy:
        description: For custom origins - how CloudFront talks to the origin.
        type: str
        choices: [http-only, https-only, match-viewer]
        default: https-only
      http_port:
        description: For custom origins.
        type: int
        default: 80
      https_port:
        description: For custom origins.
        type: int
        default: 443
      ssl_protocols:
        description: For custom origins - the TLS versions used with the origin.
        type: list
        elements: str
        default: [TLSv1.2]
      read_timeout:
        description: For custom origins - seconds to wait for an answer.
        type: int
        default: 30
      keepalive_timeout:
        description: For custom origins - seconds to keep a connection.
        type: int
        default: 5
      custom_headers:
        description: Headers CloudFront adds to origin requests.
        type: dict
        default: {}
  default_behavior:
    description: The default cache behaviour (same keys as O(behaviors) without C(path)).
    type: dict
    required: true
  behaviors:
    description:
      - Ordered cache behaviours. Each has C(path), C(origin) (an origin id),
        C(viewer_protocol_policy) (default C(redirect-to-https)), C(methods) (C(get_head),
        C(get_head_options) or C(all), default C(get_head)), C(compress) (default true), and
        either C(cache_policy) (a managed policy name such as C(CachingDisabled) or
        C(CachingOptimized), or a policy id) with an optional C(origin_request_policy) (a managed
        name such as C(AllViewerExceptHostHeader), or an id), or C(ttl) (seconds, used as default
        and maximum TTL with legacy cache settings; C(min_ttl) defaults to 0) with C(forward_query_string),
        C(forward_cookies) (C(none) or C(all)) and C(forward_headers).
    type: list
    elements: dict
    default: []
  custom_error_responses:
    description: Custom error responses, for example an SPA's 403/404 to C(/index.html) with 200.
    type: list
    elements: dict
    default: []
    suboptions:
      error_code: {description: The origin's error code., type: int, required: true}
      response_code: {description: The code sent to the viewer., type: int}
      response_page_path: {description: The page sent instead., type: str}
      caching_min_ttl: {description: Seconds the error is cached., type: int, default: 10}
  wait:
    description: Wait until the distribution is deployed.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The FastAPI shop (seed 003) - a private frontend bucket with SPA fallback, and the API
  webstack.aws.cloudfront_distribution_set:
    name: illustra-production-cdn
    default_root_object: index.html
    origin_access_controls:
      - name: illustra-production-frontend
    origins:
      - {id: bucket, domain_name: illustra-frontend-production.s3.ap-southeast-1.amazonaws.com, s3: true,
         origin_access_control: illustra-production-frontend}
      - {id: alb, domain_name: api.example.com, protocol_policy: https-only}
    default_behavior: {origin: bucket, cache_policy: CachingOptimized}
    behaviors:
      - {path: /api/*, origin: alb, methods: all, cache_policy: CachingDisabled, origin_request_policy: AllViewerExceptHostHeader}
    custom_error_responses:
      - {error_code: 403, response_code: 200, response_page_path: /index.html}
      - {error_code: 404, response_code: 200, response_page_path: /index.html}
    tags:
      Project: illustra
"""

RETURN = r"""
distribution:
  description: The distribution; null ids in check mode for a new one.
  returned: always
  type: dict
  contains:
    id: {description: The id., type: str, returned: always}
    arn: {description: The ARN., type: str, returned: always}
    domain_name: {description: The C(*.cloudfront.net) name., type: str, returned: always}
    status: {description: C(InProgress) or C(Deployed)., type: str, returned: always}
origin_access_control_ids:
  description: OAC ids by name.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
"""

import copy

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.webstack.aws.plugins.module_utils.cloudfront_oac import OAC_OPTIONS
from ansible_collections.webstack.aws.plugins.module_utils.cloudfront_oac import OacManager
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import boto3_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import contains
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import merged_tags
from ansible_collections.webstack.aws.plugins.module_utils.desired_state import tag_changes
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import wait_for

# AWS managed policies; their ids are the same in every account.
MANAGED_CACHE_POLICIES = {
    "CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
    "UseOriginCacheControlHeaders": "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
    "UseOriginCacheControlHeaders-QueryStrings": "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "AllViewerAndCloudFrontHeaders-2022-06": "33f36d7e-f396-46d9-90e0-52428a34d9dc",
    "CORS-CustomOrigin": "59781a5b-3903-41f3-afcb-af62929ccde1",
    "CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
    "UserAgentRefererHeaders": "acba4595-bd28-49b8-b9fe-13317c0390fa",
}
METHODS = {
    "get_head": ["GET", "HEAD"],
    "get_head_options": ["GET", "HEAD", "OPTIONS"],
    "all": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
}
BEHAVIOR_KEYS = {"path", "origin", "viewer_protocol_policy", "methods", "compress", "cache_policy",
                 "origin_request_policy", "ttl", "min_ttl", "forward_query_string", "forward_cookies", "forward_headers"}


def items(values):
    return {"Quantity": len(values), "Items": list(values)}


def empty_items(enabled=None):
    result = {"Quantity": 0}
    if enabled is not None:
        result["Enabled"] = enabled
    return result


class ConfigBuilder:
    """The module's options -> a complete DistributionConfig (for the API) and the same with
    the keys an answer shows for what the request leaves out (for comparing)."""

    def __init__(self, params, oac_ids):
        self.params = params
        self.oac_ids = oac_ids

    def origin(self, spec):
        origin = {"Id": spec["id"], "DomainName": spec["domain_name"], "OriginPath": spec["origin_path"] or "",
                  "CustomHeaders": items([{"HeaderName": k, "HeaderValue": str(v)}
                                          for k, v in sorted((spec["custom_headers"] or {}).items())]),
                  "ConnectionAttempts": 3, "ConnectionTimeout": 10}
        if spec["s3"]:
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
            oac = spec["origin_access_control"]
            origin["OriginAccessControlId"] = (self.oac_ids.get(oac) or "(new OAC %s)" % oac) if oac else ""
        else:
            origin["CustomOriginConfig"] = {
                "HTTPPort": spec["http_port"], "HTTPSPort": spec["https_port"],
                "OriginProtocolPolicy": spec["protocol_policy"],
                "OriginSslProtocols": items(sorted(spec["ssl_protocols"])),
                "OriginReadTimeout": spec["read_timeout"], "OriginKeepaliveTimeout": spec["keepalive_timeout"]}
            origin["OriginAccessControlId"] = ""
        return origin

    @staticmethod
    def behavior(spec, for_compare):
        methods = METHODS[spec.get("methods") or "get_head"]
        behavior = {}
        if spec.get("path"):
            behavior["PathPattern"] = spec["path"]
        behavior.update({
            "TargetOriginId": spec["origin"],
            "ViewerProtocolPolicy": spec.get("viewer_protocol_policy") or "redirect-to-https",
            "AllowedMethods": dict(items(sorted(methods)), CachedMethods=items(sorted(METHODS["get_head"]))),
            "Compress": spec.get("compress", True) is not False,
            "SmoothStreaming": False,
            "FieldLevelEncryptionId": "",
            "TrustedSigners": empty_items(False),
            "TrustedKeyGroups": empty_items(False),
            "LambdaFunctionAssociations": empty_items(),
            "FunctionAssociations": empty_items(),
        })
        if spec.get("cache_policy"):
            policy = spec["cache_policy"]
            behavior["CachePolicyId"] = MANAGED_CACHE_POLICIES.get(policy, policy)
            request_policy = spec.get("origin_request_policy")
            if request_policy:
                behavior["OriginRequestPolicyId"] = MANAGED_ORIGIN_REQUEST_POLICIES.get(request_policy, request_policy)
            elif for_compare:
                behavior["OriginRequestPolicyId"] = ""
        else:
            ttl = int(spec.get("ttl") if spec.get("ttl") is not None else 86400)
            behavior["ForwardedValues"] = {
                "QueryString": bool(spec.get("forward_query_string", False)),
                "Cookies": {"Forward": spec.get("forward_cookies") or "none"},
                "Headers": items(sorted(spec.get("forward_headers") or [])),
                "QueryStringCacheKeys": items([]),
            }
            behavior["MinTTL"] = int(spec.get("min_ttl") or 0)
            behavior["DefaultTTL"] = ttl
            behavior["MaxTTL"] = ttl
            if for_compare:
                behavior["CachePolicyId"] = ""
                behavior["OriginRequestPolicyId"] = ""
        return behavior

    def config(self, caller_reference, for_compare=False):
        params = self.params
        if params["certificate_arn"]:
            certificate = {"ACMCertificateArn": params["certificate_arn"], "SSLSupportMethod": "sni-only",
                           "MinimumProtocolVersion": params["minimum_protocol_version"], "CloudFrontDefaultCertificate": False}
        else:
            certificate = {"CloudFrontDefaultCertificate": True}
        errors = []
        for spec in params["custom_error_responses"]:
            error = {"ErrorCode": spec["error_code"], "ErrorCachingMinTTL": spec["caching_min_ttl"]}
            if spec["response_page_path"]:
                error["ResponsePagePath"] = spec["response_page_path"]
                error["ResponseCode"] = str(spec["response_code"] or 200)
            errors.append(error)
        config = {
            "CallerReference": caller_reference,
            "Comment": params["name"],
            "Enabled": params["enabled"],
            "Aliases": items(sorted(params["aliases"])),
            "DefaultRootObject": params["default_root_object"] or "",
            "Origins": items(sorted((self.origin(o) for o in params["origins"]), key=lambda o: o["Id"])),
            "OriginGroups": empty_items(),
            "DefaultCacheBehavior": self.behavior(params["default_behavior"], for_compare),
            "CacheBehaviors": items([self.behavior(b, for_compare) for b in params["behaviors"]]),
            "CustomErrorResponses": items(sorted(errors, key=lambda e: e["ErrorCode"])),
            "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
            "PriceClass": params["price_class"],
            "ViewerCertificate": certificate,
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
            "WebACLId": params["web_acl_id"] or "",
            "HttpVersion": params["http_version"],
            "IsIPV6Enabled": params["ipv6"],
        }
        return config


def normalised(config):
    """Sort what CloudFront keeps as sets, so that order never counts as a difference."""
    config = copy.deepcopy(config)

    def sort_items(container, key=None):
        if isinstance(container, dict) and isinstance(container.get("Items"), list):
            container["Items"] = sorted(container["Items"], key=key) if key else sorted(container["Items"])

    sort_items(config.get("Aliases"))
    sort_items(config.get("Origins"), key=lambda o: o["Id"])
    sort_items(config.get("CustomErrorResponses"), key=lambda e: e["ErrorCode"])
    for origin in (config.get("Origins") or {}).get("Items") or []:
        sort_items((origin.get("CustomOriginConfig") or {}).get("OriginSslProtocols"))
        sort_items(origin.get("CustomHeaders"), key=lambda h: h["HeaderName"])
    behaviors = [config.get("DefaultCacheBehavior") or {}] + ((config.get("CacheBehaviors") or {}).get("Items") or [])
    for behavior in behaviors:
        methods = behavior.get("AllowedMethods") or {}
        sort_items(methods)
        sort_items(methods.get("CachedMethods"))
        sort_items((behavior.get("ForwardedValues") or {}).get("Headers"))
    for key in ("Aliases", "CustomErrorResponses", "CacheBehaviors"):
        if isinstance(config.get(key), dict) and config[key].get("Quantity") == 0:
            config[key] = {"Quantity": 0, "Items": []}
    return config


def summary_of(config):
    """A readable before/after for the diff."""
    if config is None:
        return None
    behaviors = [config.get("DefaultCacheBehavior") or {}] + ((config.get("CacheBehaviors") or {}).get("Items") or [])
    return {
        "enabled": config.get("Enabled"),
        "aliases": (config.get("Aliases") or {}).get("Items") or [],
        "default_root_object": config.get("DefaultRootObject"),
        "price_class": config.get("PriceClass"),
        "http_version": config.get("HttpVersion"),
        "origins": {o["Id"]: o.get("DomainName") for o in (config.get("Origins") or {}).get("Items") or []},
        "behaviors": [{"path": b.get("PathPattern", "*"), "origin": b.get("TargetOriginId"),
                       "cache_policy": b.get("CachePolicyId") or None,
                       "ttl": None if b.get("CachePolicyId") else b.get("DefaultTTL"),
                       "compress": b.get("Compress")} for b in behaviors],
        "custom_error_responses": [(e.get("ErrorCode"), e.get("ResponseCode"), e.get("ResponsePagePath"))
                                   for e in (config.get("CustomErrorResponses") or {}).get("Items") or []],
    }


class Distribution:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.params = module.params

    def find(self):
        paginator = self.client.get_paginator("list_distributions")
        found = [d for d in _distributions(paginator) if d.get("Comment") == self.params["name"]]
        if len(found) > 1:
            self.module.fail_json(msg="name: more than one distribution has the comment %s: %s"
                                  % (self.params["name"], ", ".join(d["Id"] for d in found)))
        return found[0] if found else None

    def tags_of(self, arn):
        answer = self.client.list_tags_for_resource(aws_retry=True, Resource=arn)
        return boto3_tag_list_to_ansible_dict(answer.get("Tags", {}).get("Items", []) or [])

    def ensure_tags(self, arn, current):
        desired = self.params["tags"]
        if desired is None:
            return current
        to_set, to_unset = tag_changes(current, desired, self.params["purge_tags"])
        if to_set:
            self.tracker.act("tag distribution %s" % self.params["name"], self.client.tag_resource, aws_retry=True,
                             Resource=arn, Tags={"Items": boto3_tags(to_set)})
        if to_unset:
            self.tracker.act("untag distribution %s" % self.params["name"], self.client.untag_resource, aws_retry=True,
                             Resource=arn, TagKeys={"Items": to_unset})
        return merged_tags(current, to_set, to_unset)

    def present(self, builder):
        name = self.params["name"]
        summary = self.find()
        if summary is None:
            config = builder.config(name)
            wanted = summary_of(config)
            if "(new OAC" in str(config):
                self.tracker.plan("create distribution %s" % name)
                created = None
            else:
                created = self.tracker.act(
                    "create distribution %s" % name, self.client.create_distribution_with_tags, aws_retry=True,
                    DistributionConfigWithTags={"DistributionConfig": config,
                                                "Tags": {"Items": boto3_tags(self.params["tags"] or {})}})
            self.tracker.record("distribution", name, None, dict(wanted, tags=self.params["tags"]))
            distribution = created["Distribution"] if created else None
            if distribution and self.params["wait"]:
                wait_for(self.module, self.client, "distribution_deployed", delay=20, Id=distribution["Id"])
            return distribution
        answer = self.client.get_distribution_config(aws_retry=True, Id=summary["Id"])
        current = answer["DistributionConfig"]
        desired = builder.config(current["CallerReference"])
        compare = normalised(builder.config(current["CallerReference"], for_compare=True))
        same = contains(normalised(current), compare)
        if not same:
            if "(new OAC" in str(desired):
                self.tracker.plan("update distribution %s" % name)
            else:
                self.tracker.act("update distribution %s" % name, self.client.update_distribution, aws_retry=True,
                                 Id=summary["Id"], IfMatch=answer["ETag"], DistributionConfig=desired)
        current_tags = self.tags_of(summary["ARN"]) if self.params["tags"] is not None else None
        after_tags = self.ensure_tags(summary["ARN"], current_tags) if current_tags is not None else None
        self.tracker.record("distribution", name, dict(summary_of(current), tags=current_tags),
                            dict(summary_of(desired if not same else current), tags=after_tags))
        if not same and self.params["wait"] and not self.module.check_mode:
            wait_for(self.module, self.client, "distribution_deployed", delay=20, Id=summary["Id"])
        return summary

    def absent(self):
        summary = self.find()
        if summary is None:
            return None
        answer = self.client.get_distribution_config(aws_retry=True, Id=summary["Id"])
        config = answer["DistributionConfig"]
        etag = answer["ETag"]
        if config.get("Enabled"):
            config["Enabled"] = False
            updated = self.tracker.act("disable distribution %s" % self.params["name"], self.client.update_distribution,
                                       aws_retry=True, Id=summary["Id"], IfMatch=etag, DistributionConfig=config)
            if not updated:
                self.tracker.record("distribution", self.params["name"], {"id": summary["Id"]}, None)
                return None
            etag = updated["ETag"]
            if not self.params["wait"]:
                self.tracker.record("distribution", self.params["name"], {"enabled": True}, {"enabled": False})
                return summary
            wait_for(self.module, self.client, "distribution_deployed", delay=20, Id=summary["Id"])
        elif summary.get("Status") != "Deployed" and not self.params["wait"]:
            return summary
        elif summary.get("Status") != "Deployed":
            wait_for(self.module, self.client, "distribution_deployed", delay=20, Id=summary["Id"])
        self.tracker.act("delete distribution %s" % self.params["name"], self.client.delete_distribution,
                         aws_retry=True, Id=summary["Id"], IfMatch=etag)
        self.tracker.record("distribution", self.params["name"], {"id": summary["Id"]}, None)
        return None


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _distributions(paginator):
    found = []
    for page in paginator.paginate():
        found += page.get("DistributionList", {}).get("Items", []) or []
    return found


def validate(module):
    params = module.params
    errors = []
    origin_ids = [o["id"] for o in params["origins"]]
    errors += ["origins: id %s is used twice" % i for i in sorted({i for i in origin_ids if origin_ids.count(i) > 1})]
    for index, origin in enumerate(params["origins"]):
        if origin["s3"] and not origin["domain_name"].endswith(".amazonaws.com"):
            errors.append("origins[%d].domain_name: %r is not an S3 bucket domain such as "
                          "<bucket>.s3.<region>.amazonaws.com" % (index, origin["domain_name"]))
        if origin["origin_access_control"] and not origin["s3"]:
            errors.append("origins[%d].origin_access_control: only S3 origins (s3: true) use one" % index)
    behaviors = [("default_behavior", params["default_behavior"])] + [
        ("behaviors[%d]" % i, b) for i, b in enumerate(params["behaviors"])]
    paths = [b.get("path") for b in params["behaviors"]]
    for label, behavior in behaviors:
        unknown = set(behavior) - BEHAVIOR_KEYS
        if unknown:
            errors.append("%s: unknown keys %s" % (label, ", ".join(sorted(unknown))))
        if behavior.get("origin") not in origin_ids:
            errors.append("%s.origin: %r is not an id in origins" % (label, behavior.get("origin")))
        if (behavior.get("methods") or "get_head") not in METHODS:
            errors.append("%s.methods: %r must be one of %s" % (label, behavior.get("methods"), ", ".join(METHODS)))
        if behavior.get("cache_policy") and behavior.get("ttl") is not None:
            errors.append("%s: give either cache_policy or ttl, not both" % label)
        if behavior.get("origin_request_policy") and not behavior.get("cache_policy"):
            errors.append("%s.origin_request_policy: needs a cache_policy" % label)
        if label != "default_behavior" and not str(behavior.get("path") or "").startswith("/"):
            errors.append("%s.path: %r must start with /" % (label, behavior.get("path")))
        if label == "default_behavior" and behavior.get("path"):
            errors.append("default_behavior.path: the default behaviour has no path")
    errors += ["behaviors: path %s is listed twice" % p for p in sorted({p for p in paths if p and paths.count(p) > 1})]
    if params["aliases"] and not params["certificate_arn"]:
        errors.append("certificate_arn: aliases need an ACM certificate (in us-east-1) that covers them")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    origin_spec = dict(
        id=dict(type="str", required=True),
        domain_name=dict(type="str", required=True),
        origin_path=dict(type="str", default=""),
        s3=dict(type="bool", default=False),
        origin_access_control=dict(type="str"),
        protocol_policy=dict(type="str", choices=["http-only", "https-only", "match-viewer"], default="https-only"),
        http_port=dict(type="int", default=80),
        https_port=dict(type="int", default=443),
        ssl_protocols=dict(type="list", elements="str", default=["TLSv1.2"]),
        read_timeout=dict(type="int", default=30),
        keepalive_timeout=dict(type="int", default=5),
        custom_headers=dict(type="dict", default={}),
    )
    error_spec = dict(
        error_code=dict(type="int", required=True),
        response_code=dict(type="int"),
        response_page_path=dict(type="str"),
        caching_min_ttl=dict(type="int", default=10),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        enabled=dict(type="bool", default=True),
        aliases=dict(type="list", elements="str", default=[]),
        certificate_arn=dict(type="str"),
        minimum_protocol_version=dict(type="str", default="TLSv1.2_2021"),
        default_root_object=dict(type="str", default=""),
        price_class=dict(type="str", choices=["PriceClass_All", "PriceClass_200", "PriceClass_100"], default="PriceClass_All"),
        http_version=dict(type="str", choices=["http1.1", "http2", "http3", "http2and3"], default="http2and3"),
        ipv6=dict(type="bool", default=True),
        web_acl_id=dict(type="str", default=""),
        origin_access_controls=dict(type="list", elements="dict", options=OAC_OPTIONS, default=[]),
        origins=dict(type="list", elements="dict", options=origin_spec, required=True),
        default_behavior=dict(type="dict", required=True),
        behaviors=dict(type="list", elements="dict", default=[]),
        custom_error_responses=dict(type="list", elements="dict", options=error_spec, default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("cloudfront", retry_decorator=AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30))
    tracker = ChangeTracker(module)
    oacs = OacManager(module, client, tracker)
    manager = Distribution(module, client, tracker)
    oac_ids = {}
    try:
        if module.params["state"] == "present":
            for spec in module.params["origin_access_controls"]:
                oac_ids[spec["name"]] = oacs.ensure(spec)
            wanted = {o["origin_access_control"] for o in module.params["origins"] if o["origin_access_control"]}
            for name in sorted(wanted - set(oac_ids)):
                found = oacs.existing().get(name)
                if found is None:
                    module.fail_json(msg="origins: origin access control %s does not exist; list it in "
                                     "origin_access_controls to create it" % name)
                oac_ids[name] = found["Id"]
            distribution = manager.present(ConfigBuilder(module.params, oac_ids))
        else:
            distribution = manager.absent()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        module.fail_json_aws(exc, msg="CloudFront call failed for distribution %s" % module.params["name"])
    distribution = distribution or {}
    module.exit_json(
        changed=tracker.changed,
        distribution={"id": distribution.get("Id"), "arn": distribution.get("ARN"),
                      "domain_name": distribution.get("DomainName"), "status": distribution.get("Status")},
        origin_access_control_ids=oac_ids,
        actions=tracker.actions,
        diff=tracker.diff,
    )


if __name__ == "__main__":
    main()
