#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: codedeploy_deployment
short_description: Start a CodeDeploy deployment of an S3 revision, wait for it, or stop one
version_added: 0.2.0
description:
  - With O(state=present), deploys a revision stored in S3 (a C(zip), C(tar) or C(tgz) bundle
    with an C(appspec.yml)) to a deployment group, and by default waits until the deployment
    succeeds, fails or is stopped (bounded by O(wait_timeout)).
  - A deployment is an action rather than a resource. To keep re-runs quiet, no new deployment is
    started when the group's target revision is already the requested one and its last attempted
    deployment did not fail or stop (C(GetDeploymentGroup) answers both); O(force=true) deploys anyway.
  - With O(state=stopped), stops a deployment (O(deployment_id), or the group's last attempted
    one), rolling back if O(auto_rollback) is true, and waits until it has stopped.
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  application:
    description: The application's name.
    type: str
    required: true
  deployment_group:
    description: The deployment group's name. Required with O(state=present), and with O(state=stopped) without O(deployment_id).
    type: str
  state:
    description: V(present) deploys the revision; V(stopped) stops a deployment.
    type: str
    choices: [present, stopped]
    default: present
  revision:
    description: The revision in S3. Required with O(state=present).
    type: dict
    suboptions:
      s3_bucket:
        description: The bucket (the storage tier's artifacts bucket).
        type: str
        required: true
      s3_key:
        description: The object key, for example C(releases/20250101120000.zip).
        type: str
        required: true
      bundle_type:
        description: The bundle's format.
        type: str
        choices: [zip, tar, tgz, YAML, JSON]
        default: zip
      version:
        description: The object version (versioned buckets).
        type: str
      etag:
        description: The object's ETag, checked by CodeDeploy.
        type: str
  register_revision:
    description: Register the revision with the application (C(RegisterApplicationRevision)) before deploying it, so that it is listed with the application's
      revisions.
    type: bool
    default: false
  description:
    description: The deployment's description.
    type: str
  deployment_config_name:
    description: A deployment configuration for this deployment only, instead of the group's.
    type: str
  file_exists_behavior:
    description: What the agent does with files in the destination that are not part of the previous revision.
    type: str
    choices: [DISALLOW, OVERWRITE, RETAIN]
  ignore_application_stop_failures:
    description: Go on when the ApplicationStop hook fails on an instance.
    type: bool
    default: false
  force:
    description: Deploy even when the group already runs (or is deploying) this revision.
    type: bool
    default: false
  deployment_id:
    description: With O(state=stopped), the deployment to stop.
    type: str
  auto_rollback:
    description: With O(state=stopped), roll back to the previous revision after stopping.
    type: bool
    default: true
  wait:
    description: Wait until the deployment succeeds, fails or is stopped.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most; the deployment goes on after a time-out.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two reads of the deployment's status while waiting.
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Deployments cannot be tagged; they carry the deployment group's tags.
  - The infrastructure playbook does not deploy; this module belongs to a release playbook (see EXAMPLES).
"""

EXAMPLES = r"""
# In a release playbook: upload a bundle of the Laravel guide's application (appspec.yml at its
# root), then deploy it and wait, rolling back on failure or alarms.
- name: Upload the bundle
  amazon.aws.s3_object:
    bucket: "{{ storage_bucket_names.artifacts }}"
    object: "{{ release_key }}"
    src: build/deploy.zip
    mode: put

- name: Deploy it to production and wait
  webstack.aws.codedeploy_deployment:
    application: "{{ delivery_application_name }}"
    deployment_group: "{{ delivery_deployment_group_name }}"
    revision:
      s3_bucket: "{{ storage_bucket_names.artifacts }}"
      s3_key: "{{ release_key }}"
      bundle_type: zip
    description: "Release {{ release_key }}"
    wait_timeout: 3600
  register: release

- name: Stop a deployment that goes wrong, and roll back
  webstack.aws.codedeploy_deployment:
    application: innobic-app
    deployment_id: d-ABCDEF123
    state: stopped
    auto_rollback: true
"""

RETURN = r"""
deployment_id:
  description: The deployment's id (null in check mode for a new deployment).
  returned: always
  type: str
  sample: d-ABCDEF123
status:
  description: The deployment's last known status (Created, Queued, InProgress, Baking, Ready, Succeeded, Failed, Stopped).
  returned: always
  type: str
error_information:
  description: CodeDeploy's error code and message for a failed or stopped deployment.
  returned: when the deployment failed or stopped
  type: dict
deployment_overview:
  description: Instance counts by state (Pending, InProgress, Succeeded, Failed, Skipped, Ready).
  returned: when known
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

import time
from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.webstack.aws.plugins.module_utils.arn_tags import default_retry
from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker

ACTIVE = ("Created", "Queued", "InProgress", "Baking", "Ready")
DONE = ("Succeeded", "Failed", "Stopped")


def s3_location(revision):
    location = {"bucket": revision["s3_bucket"], "key": revision["s3_key"], "bundleType": revision["bundle_type"]}
    if revision.get("version"):
        location["version"] = revision["version"]
    if revision.get("etag"):
        location["eTag"] = revision["etag"]
    return location


def same_revision(target, wanted):
    """Whether GetDeploymentGroup's targetRevision is the S3 location asked for."""
    if (target or {}).get("revisionType") != "S3":
        return False
    have = target.get("s3Location") or {}
    return all(have.get(key) == value for key, value in wanted.items())


class Deployment:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client("codedeploy", retry_decorator=default_retry())
        self.tracker = ChangeTracker(module)

    def group(self):
        return self.client.get_deployment_group(aws_retry=True, applicationName=self.params["application"],
                                                deploymentGroupName=self.params["deployment_group"])["deploymentGroupInfo"]

    def info(self, deployment_id):
        return self.client.get_deployment(aws_retry=True, deploymentId=deployment_id)["deploymentInfo"]

    def present(self):
        params = self.params
        location = s3_location(params["revision"])
        revision = {"revisionType": "S3", "s3Location": location}
        group = self.group()
        last = group.get("lastAttemptedDeployment") or {}
        target = "s3://%s/%s" % (location["bucket"], location["key"])
        name = "%s/%s" % (params["application"], params["deployment_group"])
        if (not params["force"] and same_revision(group.get("targetRevision"), location) and last.get("deploymentId")
                and last.get("status") in ACTIVE + ("Succeeded",)):
            deployment_id = last["deploymentId"]
            status = last["status"]
        else:
            if params["register_revision"]:
                register = {"applicationName": params["application"], "revision": revision}
                if params.get("description"):
                    register["description"] = params["description"]
                # partial(): the API's "description" must not meet ChangeTracker.act()'s own argument.
                self.tracker.act("register revision %s with %s" % (target, params["application"]),
                                 partial(self.client.register_application_revision, aws_retry=True, **register))
            call = {"applicationName": params["application"], "deploymentGroupName": params["deployment_group"],
                    "revision": revision, "ignoreApplicationStopFailures": params["ignore_application_stop_failures"]}
            for option, key in (("description", "description"), ("deployment_config_name", "deploymentConfigName"),
                                ("file_exists_behavior", "fileExistsBehavior")):
                if params.get(option):
                    call[key] = params[option]
            created = self.tracker.act("deploy %s to %s" % (target, name),
                                       partial(self.client.create_deployment, aws_retry=True, **call))
            self.tracker.record("deployment", name, {"revision": (group.get("targetRevision") or {}).get("s3Location")},
                                {"revision": location})
            if not created:
                return self.result(None, None, {})
            deployment_id = created["deploymentId"]
            status = "Created"
        info = {}
        if params["wait"]:
            info = self.wait(deployment_id, DONE)
            status = info.get("status")
            if status != "Succeeded":
                self.module.fail_json(msg="Deployment %s of %s to %s ended %s: %s"
                                      % (deployment_id, target, name, status,
                                         (info.get("errorInformation") or {}).get("message", "no message")),
                                      **self.result(deployment_id, status, info))
        return self.result(deployment_id, status, info)

    def stopped(self):
        params = self.params
        deployment_id = params.get("deployment_id")
        if not deployment_id:
            deployment_id = (self.group().get("lastAttemptedDeployment") or {}).get("deploymentId")
            if not deployment_id:
                return self.result(None, None, {})
        info = self.info(deployment_id)
        if info.get("status") in DONE:
            return self.result(deployment_id, info.get("status"), info)
        answer = self.tracker.act("stop deployment %s%s" % (deployment_id, " and roll back" if params["auto_rollback"] else ""),
                                  self.client.stop_deployment, aws_retry=True, deploymentId=deployment_id,
                                  autoRollbackEnabled=params["auto_rollback"])
        self.tracker.record("deployment", deployment_id, {"status": info.get("status")}, {"status": "Stopped"})
        if answer is None:
            return self.result(deployment_id, info.get("status"), info)
        if params["wait"]:
            info = self.wait(deployment_id, DONE)
        return self.result(deployment_id, info.get("status"), info)

    def wait(self, deployment_id, until):
        """Poll GetDeployment until the status is one of until; fail on time-out."""
        deadline = time.time() + self.params["wait_timeout"]
        while True:
            info = self.info(deployment_id)
            if info.get("status") in until:
                return info
            if time.time() >= deadline:
                self.module.fail_json(msg="Deployment %s is still %s after %d seconds; it goes on without this task "
                                          "(wait_timeout)" % (deployment_id, info.get("status"), self.params["wait_timeout"]),
                                      **self.result(deployment_id, info.get("status"), info))
            time.sleep(max(1, min(self.params["poll_interval"], deadline - time.time())))

    def result(self, deployment_id, status, info):
        result = {"changed": self.tracker.changed, "deployment_id": deployment_id, "status": status,
                  "actions": self.tracker.actions, "diff": self.tracker.diff}
        if info.get("errorInformation"):
            result["error_information"] = info["errorInformation"]
        if info.get("deploymentOverview"):
            result["deployment_overview"] = info["deploymentOverview"]
        return result


def validate(module):
    params = module.params
    errors = []
    if params["state"] == "present":
        if not params.get("deployment_group"):
            errors.append("deployment_group: required with state=present")
        if not params.get("revision"):
            errors.append("revision: required with state=present (s3_bucket, s3_key)")
    elif not params.get("deployment_id") and not params.get("deployment_group"):
        errors.append("deployment_id: required with state=stopped unless deployment_group names the group whose "
                      "last deployment is stopped")
    if params["wait_timeout"] < 1:
        errors.append("wait_timeout: must be at least 1 second")
    if params["poll_interval"] < 1:
        errors.append("poll_interval: must be at least 1 second")
    if not module.region:
        errors.append("region: required (CodeDeploy is regional)")
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    revision_spec = dict(
        s3_bucket=dict(type="str", required=True),
        s3_key=dict(type="str", required=True, no_log=False),  # an object key, not a secret
        bundle_type=dict(type="str", choices=["zip", "tar", "tgz", "YAML", "JSON"], default="zip"),
        version=dict(type="str"),
        etag=dict(type="str"),
    )
    argument_spec = dict(
        application=dict(type="str", required=True),
        deployment_group=dict(type="str"),
        state=dict(type="str", choices=["present", "stopped"], default="present"),
        revision=dict(type="dict", options=revision_spec),
        register_revision=dict(type="bool", default=False),
        description=dict(type="str"),
        deployment_config_name=dict(type="str"),
        file_exists_behavior=dict(type="str", choices=["DISALLOW", "OVERWRITE", "RETAIN"]),
        ignore_application_stop_failures=dict(type="bool", default=False),
        force=dict(type="bool", default=False),
        deployment_id=dict(type="str"),
        auto_rollback=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="int", default=15),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    deployment = Deployment(module)
    try:
        result = deployment.present() if module.params["state"] == "present" else deployment.stopped()
    except Exception as exc:  # botocore ClientError / BotoCoreError
        module.fail_json_aws(exc, msg="CodeDeploy deployment failed to start or be read (done so far: %s)"
                             % ("; ".join(deployment.tracker.actions) or "nothing"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
