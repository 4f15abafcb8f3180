# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS topics that a tier module converges on the side: the alarm topic of the observability
tier, the SES event topic of the email tier.

A topic is found by name in one ListTopics walk per region, its subscriptions are compared by
(protocol, endpoint) so that a subscription still waiting for confirmation (its ARN reads
"PendingConfirmation" until the recipient clicks the link) is neither re-created nor removed, and
its tags are reconciled like every other ARN-tagged resource.
"""

from __future__ import annotations

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import ensure_tags
from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import read_tags
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all

UNCONFIRMED = ("PendingConfirmation", "Deleted")


def subscription_key(protocol, endpoint):
    return (protocol.lower(), endpoint)


class TopicManager:
    """Find, create, update and delete SNS topics of one region."""

    def __init__(self, module, client, tracker, tags=None, purge_tags=True):
        self.module = module
        self.client = client
        self.tracker = tracker
        self.tags = tags
        self.purge_tags = purge_tags
        self._arns = None

    def find(self, name):
        """Return the topic's ARN or None. The region's topics are listed once per run."""
        if self._arns is None:
            topics = describe_all(self.client, "list_topics", "Topics")
            self._arns = {t["TopicArn"].rsplit(":", 1)[-1]: t["TopicArn"] for t in topics}
        return self._arns.get(name)

    def ensure(self, name, display_name=None, subscriptions=None, purge_subscriptions=True, kind="topics"):
        """Converge one topic; return its ARN (None in check mode for a topic not created yet).

        subscriptions None leaves the topic's subscriptions alone; a list (of dicts with
        protocol and endpoint) makes them exactly that list when purge_subscriptions is true.
        """
        arn = self.find(name)
        wanted = {"display_name": display_name, "tags": self.tags,
                  "subscriptions": sorted("%s:%s" % subscription_key(s["protocol"], s["endpoint"])
                                          for s in subscriptions or [])}
        if arn is None:
            params = {"Name": name}
            if display_name:
                params["Attributes"] = {"DisplayName": display_name}
            if self.tags:
                params["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
            created = self.tracker.act("create SNS topic %s" % name, self.client.create_topic, aws_retry=True, **params)
            arn = created["TopicArn"] if created else None
            if arn:
                self._arns[name] = arn
            for subscription in subscriptions or []:
                self._subscribe(arn, name, subscription)
            if subscriptions is None:
                wanted.pop("subscriptions")
            self.tracker.record(kind, name, None, wanted)
            return arn

        current = {"display_name": display_name, "tags": None, "subscriptions": []}
        if display_name is not None:
            attributes = self.client.get_topic_attributes(aws_retry=True, TopicArn=arn)["Attributes"]
            current["display_name"] = attributes.get("DisplayName") or None
            if current["display_name"] != display_name:
                self.tracker.act("set DisplayName of SNS topic %s" % name, self.client.set_topic_attributes,
                                 aws_retry=True, TopicArn=arn, AttributeName="DisplayName",
                                 AttributeValue=display_name)
        if self.tags is not None:
            current["tags"] = read_tags(self.client, "sns", arn)
            wanted["tags"] = ensure_tags(self.tracker, self.client, "sns", arn, current["tags"], self.tags,
                                         self.purge_tags)
        if subscriptions is None:
            current.pop("subscriptions")
            wanted.pop("subscriptions")
        else:
            current["subscriptions"], wanted["subscriptions"] = self._ensure_subscriptions(
                arn, name, subscriptions, purge_subscriptions)
        self.tracker.record(kind, name, current, wanted)
        return arn

    def _ensure_subscriptions(self, arn, name, subscriptions, purge):
        existing = describe_all(self.client, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
        have = {}
        for subscription in existing:
            have.setdefault(subscription_key(subscription["Protocol"], subscription["Endpoint"]), subscription)
        wanted = {subscription_key(s["protocol"], s["endpoint"]): s for s in subscriptions}
        after = set(wanted)
        for key, subscription in wanted.items():
            if key not in have:
                self._subscribe(arn, name, subscription)
        for key, subscription in have.items():
            if key in wanted:
                continue
            if not purge or subscription["SubscriptionArn"] in UNCONFIRMED:
                # Kept: not asked to purge, or SNS cannot delete a subscription that was never
                # confirmed (it expires after three days by itself).
                if purge:
                    self.module.warn("SNS topic %s: the unconfirmed subscription %s:%s cannot be removed; "
                                     "it expires by itself" % (name, key[0], key[1]))
                after.add(key)
                continue
            self.tracker.act("unsubscribe %s:%s from SNS topic %s" % (key[0], key[1], name),
                             self.client.unsubscribe, aws_retry=True,
                             SubscriptionArn=subscription["SubscriptionArn"])
        return sorted("%s:%s" % key for key in have), sorted("%s:%s" % key for key in after)

    def _subscribe(self, arn, name, subscription):
        description = "subscribe %s:%s to SNS topic %s" % (subscription["protocol"], subscription["endpoint"], name)
        if arn is None:
            self.tracker.plan(description)
            return
        self.tracker.act(description, self.client.subscribe, aws_retry=True, TopicArn=arn,
                         Protocol=subscription["protocol"], Endpoint=subscription["endpoint"])

    def delete(self, name, kind="topics"):
        arn = self.find(name)
        if arn is None:
            return
        self.tracker.act("delete SNS topic %s" % name, self.client.delete_topic, aws_retry=True, TopicArn=arn)
        self.tracker.record(kind, name, {"arn": arn}, None)
