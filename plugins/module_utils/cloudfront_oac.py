# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudFront origin access controls (OAC), found by name, shared by the
cloudfront_origin_access_control module and cloudfront_distribution_set (which ensures the
OACs its S3 origins use in the same invocation). OACs have no tags; one ListOriginAccessControls
call reads them all."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

OAC_OPTIONS = dict(
    name=dict(type="str", required=True),
    description=dict(type="str", default=""),
    origin_type=dict(type="str", choices=["s3", "mediastore", "lambda", "mediapackagev2"], default="s3"),
    signing_behavior=dict(type="str", choices=["always", "never", "no-override"], default="always"),
    signing_protocol=dict(type="str", choices=["sigv4"], default="sigv4"),
)


@AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
def _paginate(paginator):
    items = []
    for page in paginator.paginate():
        items += page.get("OriginAccessControlList", {}).get("Items", []) or []
    return items


def list_by_name(client):
    """{name: summary} of every origin access control of the account; fails on duplicates."""
    found = {}
    duplicates = set()
    for item in _paginate(client.get_paginator("list_origin_access_controls")):
        if item["Name"] in found:
            duplicates.add(item["Name"])
        found[item["Name"]] = item
    return found, duplicates


def oac_config(spec):
    return {
        "Name": spec["name"],
        "Description": spec.get("description") or "",
        "SigningProtocol": spec.get("signing_protocol") or "sigv4",
        "SigningBehavior": spec.get("signing_behavior") or "always",
        "OriginAccessControlOriginType": spec.get("origin_type") or "s3",
    }


def comparable(config):
    return {"description": config.get("Description") or "", "origin_type": config.get("OriginAccessControlOriginType"),
            "signing_behavior": config.get("SigningBehavior"), "signing_protocol": config.get("SigningProtocol")}


class OacManager:
    def __init__(self, module, client, tracker):
        self.module = module
        self.client = client
        self.tracker = tracker
        self._existing = None

    def existing(self):
        if self._existing is None:
            self._existing, duplicates = list_by_name(self.client)
            if duplicates:
                self.module.fail_json(msg="origin access controls: more than one is named %s" % ", ".join(sorted(duplicates)))
        return self._existing

    def ensure(self, spec):
        """Return the OAC's id (None in check mode for a new one)."""
        config = oac_config(spec)
        current = self.existing().get(spec["name"])
        if current is None:
            created = self.tracker.act("create origin access control %s" % spec["name"],
                                       self.client.create_origin_access_control, aws_retry=True,
                                       OriginAccessControlConfig=config)
            self.tracker.record("origin_access_controls", spec["name"], None, comparable(config))
            oac_id = created["OriginAccessControl"]["Id"] if created else None
            if oac_id:
                self._existing[spec["name"]] = dict(config, Id=oac_id)
            return oac_id
        before = comparable(current)
        after = comparable(config)
        if before != after:
            answer = self.client.get_origin_access_control(aws_retry=True, Id=current["Id"])
            self.tracker.act("update origin access control %s" % spec["name"], self.client.update_origin_access_control,
                             aws_retry=True, Id=current["Id"], IfMatch=answer["ETag"], OriginAccessControlConfig=config)
        self.tracker.record("origin_access_controls", spec["name"], before, after)
        return current["Id"]

    def delete(self, name):
        current = self.existing().get(name)
        if current is None:
            return
        answer = self.client.get_origin_access_control(aws_retry=True, Id=current["Id"])
        self.tracker.act("delete origin access control %s" % name, self.client.delete_origin_access_control,
                         aws_retry=True, Id=current["Id"], IfMatch=answer["ETag"])
        self.tracker.record("origin_access_controls", name, comparable(current), None)
