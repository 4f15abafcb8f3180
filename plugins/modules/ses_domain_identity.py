#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ses_domain_identity
short_description: An SES domain identity with Easy DKIM and a custom MAIL FROM domain, and the DNS records they need
version_added: 0.2.0
description:
  - Verifies a domain with SES, sets up Easy DKIM, sets (or removes) a custom MAIL FROM domain and
    its behaviour when the MAIL FROM domain's MX record is missing, and tags the identity.
  - Returns the DNS records that make it work (three DKIM CNAMEs, the MAIL FROM MX and SPF TXT
    records, the legacy verification TXT record) for a DNS tier to publish; this module does not
    write DNS.
  - A converged identity costs three reads (verification, DKIM and MAIL FROM attributes) and the
    tag read, and no write. Unlike M(community.aws.ses_identity), nothing is reported changed
    when nothing differs.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  domain:
    description: The domain, for example C(innobic.example).
    type: str
    required: true
  state:
    description: V(present) verifies and configures the domain; V(absent) deletes the identity.
    type: str
    choices: [present, absent]
    default: present
  dkim:
    description: Whether Easy DKIM signs the domain's mail.
    type: bool
    default: true
  mail_from_domain:
    description:
      - A subdomain of O(domain) used as the MAIL FROM (envelope sender) domain, for example
        C(mail.innobic.example). An empty string removes a custom MAIL FROM domain.
      - Omit to leave the MAIL FROM setting alone.
    type: str
  behavior_on_mx_failure:
    description: What SES does when the MAIL FROM domain's MX record is missing.
    type: str
    choices: [UseDefaultValue, RejectMessage]
    default: UseDefaultValue
  wait:
    description:
      - Wait until SES has verified the domain and its DKIM records (after they were published
        in DNS). SES checks for up to 72 hours.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - The identity is managed through the SES API (C(VerifyDomainIdentity), C(VerifyDomainDkim),
    C(SetIdentityMailFromDomain)); its tags through the SES v2 API (C(TagResource)), which
    addresses the identity by ARN.
"""

EXAMPLES = r"""
- name: The Laravel guide's sending domain with DKIM and mail.<domain> as MAIL FROM
  webstack.aws.ses_domain_identity:
    domain: innobic.example
    mail_from_domain: mail.innobic.example
    behavior_on_mx_failure: UseDefaultValue
    tags:
      Project: innobic
      Environment: production
  register: identity

- name: Publish its records in Route 53 (the edge tier's job)
  amazon.aws.route53:
    zone: innobic.example
    record: "{{ item.name }}"
    type: "{{ item.type }}"
    value: "{{ item.value }}"
    ttl: "{{ item.ttl }}"
    region: "{{ omit }}"
  loop: "{{ identity.dns_records }}"
"""

RETURN = r"""
identity:
  description: The domain.
  returned: always
  type: str
identity_arn:
  description: The identity's ARN.
  returned: when state=present
  type: str
  sample: arn:aws:ses:ap-southeast-1:123456789012:identity/innobic.example
verification_status:
  description: SES's verification status (C(Pending), C(Success), C(Failed), C(TemporaryFailure), C(NotStarted)); null in check mode for a new identity.
  returned: always
  type: str
dkim_status:
  description: The DKIM verification status.
  returned: always
  type: str
dkim_tokens:
  description: The Easy DKIM tokens.
  returned: always
  type: list
  elements: str
dkim_records:
  description: The three DKIM CNAME records (name, type, value, ttl).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "abc._domainkey.innobic.example", "type": "CNAME", "value": "abc.dkim.amazonses.com", "ttl": 1800}]
mail_from_domain:
  description: The custom MAIL FROM domain, if any.
  returned: always
  type: str
mail_from_status:
  description: SES's status of the MAIL FROM domain.
  returned: always
  type: str
mail_from_records:
  description: The MX and SPF TXT records of the MAIL FROM domain.
  returned: always
  type: list
  elements: dict
verification_records:
  description: The C(_amazonses) TXT record of SES's domain verification (optional when the DKIM records are published).
  returned: always
  type: list
  elements: dict
dns_records:
  description: All of the above records.
  returned: always
  type: list
  elements: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import AccountId
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import ensure_tags
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import partition_of
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import read_tags
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import dkim_records
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import domain_errors
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import mail_from_errors
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import mail_from_records
from ansible_collections.webstack.aws.plugins.module_utils.email_spec import verification_record
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker


class DomainIdentity:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.domain = module.params["domain"]
        self.region = module.region
        self.ses = module.client("ses", retry_decorator=default_retry())
        self.tracker = ChangeTracker(module)
        self.account = AccountId(module)
        self._sesv2 = None

    @property
    def sesv2(self):
        if self._sesv2 is None:
            self._sesv2 = self.module.client("sesv2", retry_decorator=default_retry())
        return self._sesv2

    def arn(self):
        return "arn:%s:ses:%s:%s:identity/%s" % (partition_of(self.region), self.region, self.account.get(), self.domain)

    def verification(self):
        answer = self.ses.get_identity_verification_attributes(aws_retry=True, Identities=[self.domain])
        return answer.get("VerificationAttributes", {}).get(self.domain)

    def dkim_attributes(self):
        answer = self.ses.get_identity_dkim_attributes(aws_retry=True, Identities=[self.domain])
        return answer.get("DkimAttributes", {}).get(self.domain, {})

    def mail_from_attributes(self):
        answer = self.ses.get_identity_mail_from_domain_attributes(aws_retry=True, Identities=[self.domain])
        return answer.get("MailFromDomainAttributes", {}).get(self.domain, {})

    def present(self):
        params = self.params
        verification = self.verification()
        exists = verification is not None
        token = (verification or {}).get("VerificationToken")
        status = (verification or {}).get("VerificationStatus")
        if not exists:
            answer = self.tracker.act("verify domain %s" % self.domain, self.ses.verify_domain_identity,
                                      aws_retry=True, Domain=self.domain)
            token = (answer or {}).get("VerificationToken")
            status = "Pending" if answer else None

        dkim = self.dkim_attributes() if exists else {}
        tokens = dkim.get("DkimTokens") or []
        current = {"dkim": bool(dkim.get("DkimEnabled")) if exists else None}
        wanted = {"dkim": params["dkim"]}
        if params["dkim"] and not tokens:
            answer = self.tracker.act("set up Easy DKIM for %s" % self.domain, self.ses.verify_domain_dkim,
                                      aws_retry=True, Domain=self.domain)
            tokens = (answer or {}).get("DkimTokens") or []
            dkim = {"DkimEnabled": True, "DkimVerificationStatus": "Pending"} if answer else {}
        elif exists and bool(dkim.get("DkimEnabled")) != params["dkim"]:
            self.tracker.act("%s DKIM signing for %s" % ("enable" if params["dkim"] else "disable", self.domain),
                             self.ses.set_identity_dkim_enabled, aws_retry=True, Identity=self.domain,
                             DkimEnabled=params["dkim"])

        mail_from = self.mail_from_attributes() if exists else {}
        current_mail_from = {"domain": mail_from.get("MailFromDomain") or "",
                             "behavior_on_mx_failure": mail_from.get("BehaviorOnMXFailure") or "UseDefaultValue"}
        if exists:
            current["mail_from"] = current_mail_from
        if params["mail_from_domain"] is not None:
            wanted_mail_from = {"domain": params["mail_from_domain"],
                                "behavior_on_mx_failure": params["behavior_on_mx_failure"]}
            wanted["mail_from"] = wanted_mail_from
            if not exists or (wanted_mail_from != current_mail_from
                              and (wanted_mail_from["domain"] or current_mail_from["domain"])):
                self.set_mail_from(wanted_mail_from, exists)
                mail_from = {"MailFromDomain": wanted_mail_from["domain"] or None,
                             "MailFromDomainStatus": "Pending" if wanted_mail_from["domain"] else None}
            elif not wanted_mail_from["domain"]:
                wanted["mail_from"] = current_mail_from
        elif exists:
            wanted["mail_from"] = current_mail_from

        if params.get("tags") is not None:
            arn = self.arn()
            current["tags"] = read_tags(self.sesv2, "sesv2", arn) if exists else None
            wanted["tags"] = ensure_tags(self.tracker, self.sesv2, "sesv2", arn if (exists or not self.module.check_mode)
                                         else None, current["tags"] or {}, params["tags"], params["purge_tags"])
        self.tracker.record("identity", self.domain, current if exists else None, wanted)

        if params["wait"] and not self.module.check_mode:
            status, dkim = self.wait_until_verified(status, dkim)
        return self.result(status, token, dkim, tokens if params["dkim"] else [], mail_from)

    def set_mail_from(self, wanted, exists):
        description = ("set MAIL FROM of %s to %s (%s)" % (self.domain, wanted["domain"], wanted["behavior_on_mx_failure"])
                       if wanted["domain"] else "remove the custom MAIL FROM domain of %s" % self.domain)
        call = {"Identity": self.domain}
        if wanted["domain"]:
            call.update(MailFromDomain=wanted["domain"], BehaviorOnMXFailure=wanted["behavior_on_mx_failure"])
        if not exists and not wanted["domain"]:
            return
        self.tracker.act(description, self.ses.set_identity_mail_from_domain, aws_retry=True, **call)

    def wait_until_verified(self, status, dkim):
        deadline = time.time() + self.params["wait_timeout"]
        while True:
            verification = self.verification() or {}
            dkim = self.dkim_attributes() if self.params["dkim"] else dkim
            status = verification.get("VerificationStatus")
            dkim_ok = not self.params["dkim"] or dkim.get("DkimVerificationStatus") == "Success"
            if status == "Success" and dkim_ok:
                return status, dkim
            if status == "Failed" or dkim.get("DkimVerificationStatus") == "Failed":
                self.module.fail_json(msg="SES could not verify %s (verification %s, DKIM %s): are the DNS records "
                                          "published?" % (self.domain, status, dkim.get("DkimVerificationStatus")),
                                      **self.result(status, None, dkim, dkim.get("DkimTokens"), {}))
            if time.time() >= deadline:
                self.module.fail_json(msg="%s is still not verified after %d seconds (verification %s, DKIM %s)"
                                      % (self.domain, self.params["wait_timeout"], status,
                                         dkim.get("DkimVerificationStatus")),
                                      **self.result(status, None, dkim, dkim.get("DkimTokens"), {}))
            time.sleep(min(15, max(1, deadline - time.time())))

    def absent(self):
        verification = self.verification()
        if verification is not None:
            self.tracker.act("delete identity %s" % self.domain, self.ses.delete_identity, aws_retry=True,
                             Identity=self.domain)
            self.tracker.record("identity", self.domain, {"verification_status": verification.get("VerificationStatus")},
                                None)
        return {"changed": self.tracker.changed, "identity": self.domain, "verification_status": None,
                "dkim_status": None, "dkim_tokens": [], "dkim_records": [], "mail_from_domain": None,
                "mail_from_status": None, "mail_from_records": [], "verification_records": [], "dns_records": [],
                "actions": self.tracker.actions, "diff": self.tracker.diff}

    def result(self, status, token, dkim, tokens, mail_from):
        mail_from_domain = mail_from.get("MailFromDomain") or None
        dkim_dns = dkim_records(self.domain, tokens)
        mail_from_dns = mail_from_records(mail_from_domain, self.region)
        verification_dns = verification_record(self.domain, token)
        arn = None
        if not (self.module.check_mode and status is None):
            arn = self.arn()
        return {
            "changed": self.tracker.changed,
            "identity": self.domain,
            "identity_arn": arn,
            "verification_status": status,
            "dkim_status": dkim.get("DkimVerificationStatus"),
            "dkim_tokens": list(tokens or []),
            "dkim_records": dkim_dns,
            "mail_from_domain": mail_from_domain,
            "mail_from_status": mail_from.get("MailFromDomainStatus"),
            "mail_from_records": mail_from_dns,
            "verification_records": verification_dns,
            "dns_records": dkim_dns + mail_from_dns + verification_dns,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def main():
    argument_spec = dict(
        domain=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        dkim=dict(type="bool", default=True),
        mail_from_domain=dict(type="str"),
        behavior_on_mx_failure=dict(type="str", choices=["UseDefaultValue", "RejectMessage"], default="UseDefaultValue"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = domain_errors("domain", module.params["domain"])
    errors += mail_from_errors("mail_from_domain", module.params["mail_from_domain"], module.params["domain"])
    if not module.region:
        errors.append("region: required (SES identities are regional)")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)
    identity = DomainIdentity(module)
    try:
        result = identity.present() if module.params["state"] == "present" else identity.absent()
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="Could not converge SES identity %s (done so far: %s)"
                             % (module.params["domain"], "; ".join(identity.tracker.actions) or "nothing"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
