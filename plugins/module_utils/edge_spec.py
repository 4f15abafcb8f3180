# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks for the edge tier (Route 53, ACM, ALB, WAF, CloudFront), shared by the modules
(load_balancer, wafv2_web_acl_set, ...) and the edge_input_errors filter that the edge role runs
before any API call. Every message starts with the name of the variable (or option) to fix.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

# ALB security policies whose lowest protocol is TLS 1.2 (or 1.3). Everything else that ELB
# offers (ELBSecurityPolicy-2016-08, -2015-05, -TLS-1-0-2015-04, -TLS-1-1-2017-01, -FS-2018-06,
# -FS-1-1-2019-08, -TLS13-1-0-2021-06, -TLS13-1-1-2021-06 ...) still accepts TLS 1.0 or 1.1.
TLS12_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)[A-Za-z0-9-]+$")
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ELB_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
MATCHER = re.compile(r"^\d{3}((-\d{3})|(,\d{3})*)$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
RELATIVE_NAME = re.compile(r"^([a-z0-9*]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")
RATE_WINDOWS = (60, 120, 300, 600)


def tls_policy_errors(label, policy):
    if not isinstance(policy, str) or not TLS12_POLICY.match(policy):
        return ["%s: %r allows TLS older than 1.2; use a TLS 1.2+ policy such as %s"
                % (label, policy, DEFAULT_TLS_POLICY)]
    return []


def _int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def health_check_errors(prefix, check):
    """check: {path, interval, timeout, healthy_threshold, unhealthy_threshold, matcher}; prefix
    names the variable (edge_health_check) or option (target_groups[0].health_check)."""
    errors = []
    interval = _int(check.get("interval"))
    timeout = _int(check.get("timeout"))
    if interval is None or not 5 <= interval <= 300:
        errors.append("%s.interval: %r must be 5-300 seconds" % (prefix, check.get("interval")))
    if timeout is None or not 2 <= timeout <= 120:
        errors.append("%s.timeout: %r must be 2-120 seconds" % (prefix, check.get("timeout")))
    if interval is not None and timeout is not None and timeout >= interval:
        errors.append("%s.timeout: %d s must be shorter than %s.interval (%d s)" % (prefix, timeout, prefix, interval))
    for key in ("healthy_threshold", "unhealthy_threshold"):
        value = _int(check.get(key))
        if value is None or not 2 <= value <= 10:
            errors.append("%s.%s: %r must be 2-10" % (prefix, key, check.get(key)))
    path = check.get("path")
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 1024:
        errors.append("%s.path: %r must start with /" % (prefix, path))
    matcher = str(check.get("matcher", ""))
    if not MATCHER.match(matcher):
        errors.append("%s.matcher: %r must be HTTP codes such as 200, 200,302 or 200-299" % (prefix, matcher))
    return errors


def elb_name_errors(label, name):
    if not isinstance(name, str) or not ELB_NAME.match(name) or name.startswith("internal-"):
        return ["%s: %r must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen" % (label, name)]
    return []


def domain_errors(label, domain):
    if not isinstance(domain, str) or not DOMAIN.match(domain):
        return ["%s: %r is not a lowercase domain name such as example.com" % (label, domain)]
    return []


def cidr_list_errors(label, values):
    errors = []
    if not isinstance(values, list):
        return ["%s: must be a list of CIDR blocks" % label]
    for index, value in enumerate(values):
        try:
            ipaddress.ip_network(value, strict=True)
        except (TypeError, ValueError):
            errors.append("%s[%d]: %r is not a CIDR block such as 203.0.113.0/24" % (label, index, value))
    return errors


def country_errors(label, values):
    if not isinstance(values, list):
        return ["%s: must be a list of ISO 3166 country codes" % label]
    return ["%s[%d]: %r is not a two-letter country code such as SG" % (label, i, v)
            for i, v in enumerate(values) if not isinstance(v, str) or not COUNTRY.match(v)]


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def edge_input_errors(settings):
    """Check the edge role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("edge_project", settings.get("edge_project"))
    errors += name_errors("edge_environment", settings.get("edge_environment"))
    domain = settings.get("edge_domain") or ""
    tls = _truthy(settings.get("edge_tls_enabled"))
    if tls and not domain:
        errors.append("edge_domain: edge_tls_enabled is true but edge_domain is empty; set edge_domain to "
                      "the site's domain, or edge_tls_enabled: false for an environment without one")
    if domain:
        errors += domain_errors("edge_domain", domain)
    names = settings.get("edge_dns_alias_names") or []
    if not isinstance(names, list):
        errors.append("edge_dns_alias_names: must be a list of names relative to edge_domain ('' for the apex)")
        names = []
    for index, name in enumerate(names):
        if name != "" and (not isinstance(name, str) or not RELATIVE_NAME.match(name)):
            errors.append("edge_dns_alias_names[%d]: %r must be '' (the apex) or a lowercase name such as www" % (index, name))
    if tls:
        errors += tls_policy_errors("edge_tls_policy", settings.get("edge_tls_policy"))
    errors += elb_name_errors("edge_alb_name", settings.get("edge_alb_name"))
    errors += elb_name_errors("edge_target_group_name", settings.get("edge_target_group_name"))
    port = _int(settings.get("edge_target_port"))
    if port is None or not 1 <= port <= 65535:
        errors.append("edge_target_port: %r must be a port 1-65535" % settings.get("edge_target_port"))
    idle = _int(settings.get("edge_alb_idle_timeout"))
    if idle is None or not 1 <= idle <= 4000:
        errors.append("edge_alb_idle_timeout: %r must be 1-4000 seconds" % settings.get("edge_alb_idle_timeout"))
    errors += health_check_errors("edge_health_check", settings.get("edge_health_check") or {})

    # A tier run in check mode on an empty account publishes its keys with empty ids: the keys
    # must be there, the ids only once the tier has built them.
    subnets = (settings.get("network_subnet_ids") or {}).get("public") or {}
    if len(subnets) < 2:
        errors.append("network_subnet_ids: the ALB needs public subnets in at least two zones "
                      "(network_subnet_ids.public, published by the network tier)")
    if "alb" not in (settings.get("security_groups_ids") or {}):
        errors.append("security_groups_ids: the ALB needs security_groups_ids.alb (published by the "
                      "security_groups tier)")

    if _truthy(settings.get("edge_waf_enabled")):
        limit = _int(settings.get("edge_waf_rate_limit"))
        if limit is None or not 10 <= limit <= 2000000000:
            errors.append("edge_waf_rate_limit: %r must be 10-2000000000 requests" % settings.get("edge_waf_rate_limit"))
        window = _int(settings.get("edge_waf_rate_window"))
        if window not in RATE_WINDOWS:
            errors.append("edge_waf_rate_window: %r must be one of %s seconds"
                          % (settings.get("edge_waf_rate_window"), ", ".join(str(w) for w in RATE_WINDOWS)))
        errors += cidr_list_errors("edge_waf_admin_allowed_cidrs", settings.get("edge_waf_admin_allowed_cidrs") or [])
        path = settings.get("edge_waf_admin_path")
        if not isinstance(path, str) or not path.startswith("/"):
            errors.append("edge_waf_admin_path: %r must start with /" % path)
        allow = settings.get("edge_waf_geo_allow_countries") or []
        block = settings.get("edge_waf_geo_block_countries") or []
        errors += country_errors("edge_waf_geo_allow_countries", allow)
        errors += country_errors("edge_waf_geo_block_countries", block)
        if allow and block:
            errors.append("edge_waf_geo_block_countries: give either edge_waf_geo_allow_countries or "
                          "edge_waf_geo_block_countries, not both")

    if _truthy(settings.get("edge_cloudfront_enabled")):
        if settings.get("edge_cloudfront_price_class") not in PRICE_CLASSES:
            errors.append("edge_cloudfront_price_class: %r must be one of %s"
                          % (settings.get("edge_cloudfront_price_class"), ", ".join(PRICE_CLASSES)))
        bucket = settings.get("edge_cloudfront_bucket")
        if not bucket:
            errors.append("edge_cloudfront_bucket: CloudFront needs the S3 bucket it serves (storage_bucket_names.%s "
                          "from the storage tier)" % settings.get("edge_cloudfront_bucket_key", "files"))
        for index, behavior in enumerate(settings.get("edge_cloudfront_behaviors") or []):
            label = "edge_cloudfront_behaviors[%d]" % index
            if not str(behavior.get("path", "")).startswith("/"):
                errors.append("%s.path: %r must start with /" % (label, behavior.get("path")))
            if behavior.get("origin") not in ("alb", "bucket"):
                errors.append("%s.origin: %r must be alb or bucket" % (label, behavior.get("origin")))
            ttl = behavior.get("ttl")
            if ttl is not None and (_int(ttl) is None or not 0 <= _int(ttl) <= 31536000):
                errors.append("%s.ttl: %r must be 0-31536000 seconds" % (label, ttl))
    return errors
