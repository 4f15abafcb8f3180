# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks and DNS records of the email tier, shared by the ses_domain_identity and
ses_configuration_set modules and the email_input_errors filter (which the email role runs
before any API call).

Every check returns a list of messages; each message starts with the name of the bad variable
or option.
"""

from __future__ import annotations

import re

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import name_errors

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CONFIGURATION_SET_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DESTINATION_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DIMENSION_RE = re.compile(r"^[A-Za-z0-9_:-]{1,256}$")
TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# SES (v1 API) event types, as DescribeConfigurationSet spells them.
EVENT_TYPES = ("send", "reject", "bounce", "complaint", "delivery", "open", "click", "renderingFailure")
VALUE_SOURCES = ("messageTag", "emailHeader", "linkTag")
MX_FAILURE = ("UseDefaultValue", "RejectMessage")
# How long the DNS records are meant to be cached (seconds).
RECORD_TTL = 1800


def event_type(value):
    """Accept SES's event names in any case (Bounce, BOUNCE, bounce) and return the API's spelling."""
    for known in EVENT_TYPES:
        if isinstance(value, str) and value.lower() == known.lower():
            return known
    return None


def domain_errors(label, value):
    if not isinstance(value, str) or not DOMAIN_RE.match(value):
        return ["%s: %r is not a domain name such as innobic.example (lowercase)" % (label, value)]
    return []


def mail_from_errors(label, mail_from_domain, domain):
    if not mail_from_domain:
        return []
    errors = domain_errors(label, mail_from_domain)
    if not errors and domain and not mail_from_domain.endswith("." + domain):
        errors.append("%s: %s must be a subdomain of %s" % (label, mail_from_domain, domain))
    return errors


def destination_errors(label, destination):
    """One event destination in the role's (and the module's) form."""
    errors = []
    if not isinstance(destination, dict):
        return ["%s: must be a dictionary" % label]
    name = destination.get("name")
    if not isinstance(name, str) or not DESTINATION_RE.match(name):
        errors.append("%s.name: %r must be 1-64 letters, digits, _ or -" % (label, name))
    types = destination.get("matching_event_types") or []
    if not isinstance(types, list) or not types:
        errors.append("%s.matching_event_types: must list at least one event type" % label)
        types = []
    for index, value in enumerate(types):
        if event_type(value) is None:
            errors.append("%s.matching_event_types[%d]: %r is not one of %s"
                          % (label, index, value, ", ".join(EVENT_TYPES)))
    targets = [k for k in ("cloudwatch_dimensions", "sns_topic", "sns_topic_arn") if destination.get(k)]
    if len(targets) != 1:
        errors.append("%s: give exactly one of cloudwatch_dimensions, sns_topic and sns_topic_arn" % label)
    for index, dimension in enumerate(destination.get("cloudwatch_dimensions") or []):
        item = "%s.cloudwatch_dimensions[%d]" % (label, index)
        if not isinstance(dimension, dict):
            errors.append("%s: must be a dictionary" % item)
            continue
        if not isinstance(dimension.get("name"), str) or not DIMENSION_RE.match(dimension["name"]):
            errors.append("%s.name: %r is not a valid dimension name" % (item, dimension.get("name")))
        if dimension.get("value_source", "messageTag") not in VALUE_SOURCES:
            errors.append("%s.value_source: %r must be one of %s"
                          % (item, dimension.get("value_source"), ", ".join(VALUE_SOURCES)))
        if not isinstance(dimension.get("default_value"), str) or not DIMENSION_RE.match(dimension["default_value"]):
            errors.append("%s.default_value: %r is not a valid dimension value" % (item, dimension.get("default_value")))
    topic = destination.get("sns_topic")
    if topic and (not isinstance(topic, str) or not TOPIC_RE.match(topic)):
        errors.append("%s.sns_topic: %r is not a valid SNS topic name" % (label, topic))
    arn = destination.get("sns_topic_arn")
    if arn and (not isinstance(arn, str) or not re.match(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$", arn)):
        errors.append("%s.sns_topic_arn: %r is not an SNS topic ARN" % (label, arn))
    return errors


def email_input_errors(settings):
    """Check the email role's variables (a dict keyed by variable name)."""
    errors = []
    errors += name_errors("email_project", settings.get("email_project"))
    errors += name_errors("email_environment", settings.get("email_environment"))
    domain = settings.get("email_domain")
    if domain:
        errors += domain_errors("email_domain", domain)
        subdomain = settings.get("email_mail_from_subdomain")
        if subdomain and (not isinstance(subdomain, str) or not re.match(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", subdomain)):
            errors.append("email_mail_from_subdomain: %r must be one DNS label such as mail" % (subdomain,))
        errors += mail_from_errors("email_mail_from_domain", settings.get("email_mail_from_domain"), domain)
    behaviour = settings.get("email_mail_from_mx_failure")
    if behaviour not in MX_FAILURE:
        errors.append("email_mail_from_mx_failure: %r must be one of %s" % (behaviour, ", ".join(MX_FAILURE)))
    name = settings.get("email_configuration_set_name")
    if not isinstance(name, str) or not CONFIGURATION_SET_RE.match(name):
        errors.append("email_configuration_set_name: %r must be 1-64 letters, digits, _ or -" % (name,))
    topic = settings.get("email_events_topic_name")
    if not isinstance(topic, str) or not TOPIC_RE.match(topic):
        errors.append("email_events_topic_name: %r is not a valid SNS topic name" % (topic,))
    for var in ("email_cloudwatch_event_types", "email_sns_event_types"):
        values = settings.get(var)
        if not isinstance(values, list):
            errors.append("%s: must be a list of event types" % var)
            continue
        for index, value in enumerate(values):
            if event_type(value) is None:
                errors.append("%s[%d]: %r is not one of %s" % (var, index, value, ", ".join(EVENT_TYPES)))
    dimension = settings.get("email_cloudwatch_dimension")
    if not isinstance(dimension, str) or not DIMENSION_RE.match(dimension):
        errors.append("email_cloudwatch_dimension: %r is not a valid CloudWatch dimension name" % (dimension,))
    return errors


def dkim_records(domain, tokens):
    """Easy DKIM: one CNAME per token."""
    return [{"name": "%s._domainkey.%s" % (token, domain), "type": "CNAME",
             "value": "%s.dkim.amazonses.com" % token, "ttl": RECORD_TTL} for token in tokens or []]


def mail_from_records(mail_from_domain, region):
    """The MX and SPF records a custom MAIL FROM domain needs."""
    if not mail_from_domain:
        return []
    return [
        {"name": mail_from_domain, "type": "MX", "value": "10 feedback-smtp.%s.amazonses.com" % region,
         "ttl": RECORD_TTL},
        {"name": mail_from_domain, "type": "TXT", "value": '"v=spf1 include:amazonses.com ~all"', "ttl": RECORD_TTL},
    ]


def verification_record(domain, token):
    """The TXT record of SES's domain verification (not needed when the DKIM records are published)."""
    if not token:
        return []
    return [{"name": "_amazonses.%s" % domain, "type": "TXT", "value": '"%s"' % token, "ttl": RECORD_TTL}]
