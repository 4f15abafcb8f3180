#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_secrets
short_description: Keep an application's secrets in SSM Parameter Store and Secrets Manager, generated when absent
version_added: 0.2.0
description:
  - Converges an application's settings (keys, passwords, licences) into SSM SecureString
    parameters under O(ssm_path) and into JSON Secrets Manager secrets under O(secret_prefix),
    in one invocation.
  - A setting without a given value is generated when it exists nowhere yet (a password, a
    Laravel application key, random hex or base64). An existing value is never overwritten
    unless O(overwrite) (or O(settings[].overwrite)) is true; when a setting exists in one
    store only, its value is copied to the other, so both always agree.
  - No value is ever returned, logged or shown in the diff; the diff shows V(<secret>) in place
    of each value, and V(<secret (changed)>) where a value is written.
  - A no-op run reads the parameter list once, each parameter's tags, the secret list once and
    each secret's value (to see which keys it holds).
author:
  - webstack.aws maintainers (@webstack-aws)
options:
  state:
    description:
      - V(present) creates what is missing; V(absent) deletes the settings' parameters and the
        secrets they live in (secrets after O(recovery_window_days)).
    type: str
    choices: [present, absent]
    default: present
  ssm_path:
    description: The parameter path, for example V(/innobic/production); a setting's parameter is C(<ssm_path>/<name>).
    type: str
  secret_prefix:
    description: The secret name prefix, for example V(innobic/production); a secret is C(<secret_prefix>/<secret>).
    type: str
  overwrite:
    description:
      - Replace existing values. A setting with a given value is written where it differs; a
        setting without one is generated anew (a rotation) on every run.
    type: bool
    default: false
  kms_key_id:
    description: The KMS key for new values (default the AWS managed keys C(aws/ssm) and C(aws/secretsmanager)).
    type: str
  recovery_window_days:
    description: With O(state=absent), how many days a deleted secret can still be restored (7-30).
    type: int
    default: 30
  settings:
    description: The settings.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The setting's name, for example V(db-password); the last part of its parameter name.
        type: str
        required: true
      value:
        description: The value to store. Unset generates one (see O(settings[].generate)) when the setting is new.
        type: str
      generate:
        description:
          - How to make a value. V(password) is letters and digits; V(laravel_app_key) is
            C(base64:) and 32 random bytes in base64, as C(php artisan key:generate) writes it;
            V(hex) and V(base64) encode O(settings[].length) random bytes; V(none) requires a value.
        type: str
        choices: [password, laravel_app_key, hex, base64, none]
        default: password
      length:
        description: Characters of a password, or random bytes for V(hex) and V(base64) (16-128).
        type: int
        default: 32
      ssm:
        description: Store the setting as the SSM parameter C(<ssm_path>/<name>).
        type: bool
        default: true
      ssm_type:
        description: The parameter type.
        type: str
        choices: [SecureString, String]
        default: SecureString
      secret:
        description: Also store it in this Secrets Manager secret (C(<secret_prefix>/<secret>)), a JSON object.
        type: str
      secret_key:
        description: The key of the setting in the secret's JSON object (default O(settings[].name)).
        type: str
      description:
        description: The parameter's description.
        type: str
      overwrite:
        description: Overrides O(overwrite) for this setting.
        type: bool
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The Laravel guide's settings (seed 000), generated where absent
  webstack.aws.app_secrets:
    ssm_path: /innobic/production
    secret_prefix: innobic/production
    tags:
      Project: innobic
      Environment: production
    settings:
      - {name: app-key, generate: laravel_app_key, secret: app-key, secret_key: key}
      - {name: db-username, value: innobic, secret: database, secret_key: username}
      - {name: db-password, secret: database, secret_key: password}
      - {name: redis-password, secret: redis, secret_key: password}
  register: app_secrets

- name: Rotate one password
  webstack.aws.app_secrets:
    ssm_path: /innobic/production
    secret_prefix: innobic/production
    settings:
      - {name: redis-password, secret: redis, secret_key: password, overwrite: true}
"""

RETURN = r"""
parameters:
  description: Parameter names by setting name (settings stored in SSM only).
  returned: always
  type: dict
  sample: {"db-password": "/innobic/production/db-password"}
secrets:
  description: The Secrets Manager secrets by their short name, with name and ARN (ARN null in check mode for a new secret).
  returned: always
  type: dict
  sample: {"database": {"name": "innobic/production/database", "arn":
    "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:innobic/production/database-AbCdEf"}}
generated:
  description: Names of the settings whose value this run generated (never the values).
  returned: always
  type: list
  elements: str
actions:
  description: The writes made (or, in check mode, that would be made), in order; names only.
  returned: always
  type: list
  elements: str
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.webstack.aws.plugins.module_utils.resource import ChangeTracker
from ansible_collections.webstack.aws.plugins.module_utils.resource import describe_all
from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import generate
from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import path_errors
from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import prefix_errors
from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import setting_errors

HIDDEN = "<secret>"
CHANGED = "<secret (changed)>"
RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)


class SecretStore:
    """Reads both stores once, then decides each setting's value and writes what is missing."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.tracker = ChangeTracker(module)
        self.ssm = module.client("ssm", retry_decorator=RETRY)
        self.sm = module.client("secretsmanager", retry_decorator=RETRY)
        self.settings = module.params["settings"]
        self.parameters = {}  # parameter name -> metadata
        self.secrets = {}  # secret name -> list_secrets entry
        self.secret_values = {}  # secret name -> dict (read only when the secret exists)
        self.ssm_values = {}  # parameter name -> value (read only when needed)
        self.generated = []

    # ----- names -----
    def parameter_name(self, setting):
        return "%s/%s" % (self.params["ssm_path"], setting["name"]) if setting["ssm"] else None

    def secret_name(self, setting):
        return "%s/%s" % (self.params["secret_prefix"], setting["secret"]) if setting.get("secret") else None

    @staticmethod
    def secret_key(setting):
        return setting.get("secret_key") or setting["name"]

    def overwrite(self, setting):
        return self.params["overwrite"] if setting.get("overwrite") is None else setting["overwrite"]

    def hide(self, value):
        if value:
            self.module.no_log_values.add(value)
        return value

    # ----- reads -----
    def read_parameters(self):
        if not any(s["ssm"] for s in self.settings):
            return
        found = describe_all(self.ssm, "describe_parameters", "Parameters",
                             ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": [self.params["ssm_path"]]}])
        self.parameters = {p["Name"]: p for p in found}

    def read_secrets(self):
        if not any(s.get("secret") for s in self.settings):
            return
        found = describe_all(self.sm, "list_secrets", "SecretList", IncludePlannedDeletion=True,
                             Filters=[{"Key": "name", "Values": [self.params["secret_prefix"] + "/"]}])
        ours = {self.secret_name(s) for s in self.settings if s.get("secret")}
        self.secrets = {s["Name"]: s for s in found if s["Name"] in ours}

    def secret_value(self, name):
        """The JSON object of an existing secret (read once)."""
        if name not in self.secret_values:
            answer = self.sm.get_secret_value(aws_retry=True, SecretId=name)
            text = answer.get("SecretString") or "{}"
            try:
                value = json.loads(text)
            except ValueError:
                value = None
            if not isinstance(value, dict):
                self.module.fail_json(msg="settings: secret %s does not hold a JSON object; this module keeps "
                                          "settings as keys of a JSON object" % name)
            for item in value.values():
                if isinstance(item, str):
                    self.hide(item)
            self.secret_values[name] = value
        return self.secret_values[name]

    def read_ssm_values(self, names):
        """Decrypt the named parameters, ten per call (only those not read yet)."""
        names = [n for n in names if n not in self.ssm_values]
        for start in range(0, len(names), 10):
            answer = self.ssm.get_parameters(aws_retry=True, Names=names[start:start + 10], WithDecryption=True)
            for parameter in answer.get("Parameters", []):
                self.ssm_values[parameter["Name"]] = self.hide(parameter["Value"])

    # ----- converge -----
    def present(self):
        self.read_parameters()
        self.read_secrets()
        live_secrets = {n for n, s in self.secrets.items() if not s.get("DeletedDate")}
        for name in sorted(n for n in self.secrets if n not in live_secrets):
            self.tracker.act("restore secret %s (it was scheduled for deletion)" % name, self.sm.restore_secret,
                             aws_retry=True, SecretId=name)
            if not self.module.check_mode:
                live_secrets.add(name)
        for name in sorted(live_secrets):
            self.secret_value(name)
        # Values that must be read from SSM: to copy a parameter into a secret, or to compare
        # a given value (overwrite) with the stored one, or to rewrite a changed description/type.
        needed = []
        for setting in self.settings:
            parameter = self.parameter_name(setting)
            if not parameter or parameter not in self.parameters:
                continue
            secret = self.secret_name(setting)
            missing_in_secret = secret and self.secret_key(setting) not in self.secret_values.get(secret, {})
            if missing_in_secret or (self.overwrite(setting) and setting.get("value") is not None) \
                    or self.parameter_drift(setting):
                needed.append(parameter)
        self.read_ssm_values(needed)

        new_secret_values = {name: dict(value) for name, value in self.secret_values.items()}
        parameter_writes = []
        for setting in self.settings:
            value, source = self.decide(setting)
            parameter = self.parameter_name(setting)
            if parameter:
                parameter_writes.append((setting, parameter, value, source))
            secret = self.secret_name(setting)
            if secret and value is not None:  # None: kept as stored, not read
                new_secret_values.setdefault(secret, {})[self.secret_key(setting)] = value
        for setting, parameter, value, source in parameter_writes:
            self.converge_parameter(setting, parameter, value, source)
        for secret in sorted({self.secret_name(s) for s in self.settings if s.get("secret")}):
            self.converge_secret(secret, new_secret_values.get(secret, {}))
        return self.result()

    def decide(self, setting):
        """(value, where it comes from) for one setting; values stay inside this process."""
        parameter = self.parameter_name(setting)
        secret = self.secret_name(setting)
        key = self.secret_key(setting)
        in_secret = self.secret_values.get(secret, {}).get(key) if secret else None
        in_ssm = self.ssm_values.get(parameter) if parameter else None
        exists = (parameter in self.parameters) if parameter else False
        if self.overwrite(setting) or not (exists or in_secret is not None):
            if setting.get("value") is not None:
                return self.hide(setting["value"]), "given"
            self.generated.append(setting["name"])
            return self.hide(generate(setting["generate"], setting["length"])), "generated"
        # keep what is stored; a parameter wins over a secret if both exist and differ
        if in_ssm is not None:
            return in_ssm, "parameter"
        if exists:
            return None, "parameter"  # present and not read: left as it is
        return in_secret, "secret"

    def parameter_drift(self, setting):
        """Type or description of an existing parameter differs (rewriting needs its value)."""
        current = self.parameters.get(self.parameter_name(setting))
        if current is None:
            return False
        if current.get("Type") != setting["ssm_type"]:
            return True
        return setting.get("description") is not None and current.get("Description", "") != setting["description"]

    def ssm_tags(self):
        return dict(self.params.get("tags") or {})

    def converge_parameter(self, setting, name, value, source):
        current = self.parameters.get(name)
        tags = self.ssm_tags()
        put = {"Name": name, "Type": setting["ssm_type"]}
        if setting.get("description") is not None:
            put["Description"] = setting["description"]
        if self.params.get("kms_key_id") and setting["ssm_type"] == "SecureString":
            put["KeyId"] = self.params["kms_key_id"]
        wanted = {"type": setting["ssm_type"], "description": setting.get("description"), "tags": tags, "value": HIDDEN}
        if current is None:
            wanted["value"] = CHANGED
            if tags:
                put["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            self.tracker.act("create parameter %s (%s value)" % (name, source), self.ssm.put_parameter,
                             aws_retry=True, Value=value, **put)
            self.tracker.record("parameters", name, None, wanted)
            return
        before = {"type": current.get("Type"), "description": current.get("Description"), "value": HIDDEN}
        if setting.get("description") is None:
            wanted["description"] = before["description"]
        stored = self.ssm_values.get(name)
        rewrite = self.parameter_drift(setting)
        if self.overwrite(setting) and source in ("given", "generated") and (stored is None or stored != value):
            rewrite = True
            wanted["value"] = CHANGED
        if rewrite:
            self.tracker.act("update parameter %s" % name, self.ssm.put_parameter, aws_retry=True,
                             Value=value if wanted["value"] == CHANGED else stored, Overwrite=True, **put)
        before["tags"] = boto3_tag_list_to_ansible_dict(
            self.ssm.list_tags_for_resource(aws_retry=True, ResourceType="Parameter", ResourceId=name).get("TagList", []))
        to_add, to_remove = compare_aws_tags(before["tags"], tags, purge_tags=self.params["purge_tags"])
        if to_add:
            self.tracker.act("tag parameter %s" % name, self.ssm.add_tags_to_resource, aws_retry=True,
                             ResourceType="Parameter", ResourceId=name, Tags=ansible_dict_to_boto3_tag_list(to_add))
        if to_remove:
            self.tracker.act("untag parameter %s" % name, self.ssm.remove_tags_from_resource, aws_retry=True,
                             ResourceType="Parameter", ResourceId=name, TagKeys=to_remove)
        wanted["tags"] = {k: v for k, v in before["tags"].items() if k not in to_remove}
        wanted["tags"].update(to_add)
        self.tracker.record("parameters", name, before, wanted)

    def converge_secret(self, name, value):
        tags = dict(self.params.get("tags") or {})
        entry = self.secrets.get(name)
        wanted_view = {"keys": sorted(value), "tags": tags}
        if entry is None:
            params = {"Name": name, "SecretString": json.dumps(value, sort_keys=True)}
            if self.params.get("kms_key_id"):
                params["KmsKeyId"] = self.params["kms_key_id"]
            if tags:
                params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            answer = self.tracker.act("create secret %s" % name, self.sm.create_secret, aws_retry=True, **params)
            self.secrets[name] = {"Name": name, "ARN": answer["ARN"] if answer else None}
            wanted_view["values"] = {k: CHANGED for k in value}
            self.tracker.record("secrets", name, None, wanted_view)
            return
        current = self.secret_values.get(name, {})
        before = {"keys": sorted(current), "tags": boto3_tag_list_to_ansible_dict(entry.get("Tags") or []),
                  "values": {k: HIDDEN for k in current}}
        wanted_view["values"] = {k: (HIDDEN if current.get(k) == v else CHANGED) for k, v in value.items()}
        if value != current:
            self.tracker.act("update secret %s (%s)" % (name, ", ".join(sorted(k for k in value if current.get(k) != value[k]))),
                             self.sm.put_secret_value, aws_retry=True, SecretId=name,
                             SecretString=json.dumps(value, sort_keys=True))
        to_add, to_remove = compare_aws_tags(before["tags"], tags, purge_tags=self.params["purge_tags"])
        if to_add:
            self.tracker.act("tag secret %s" % name, self.sm.tag_resource, aws_retry=True, SecretId=name,
                             Tags=ansible_dict_to_boto3_tag_list(to_add))
        if to_remove:
            self.tracker.act("untag secret %s" % name, self.sm.untag_resource, aws_retry=True, SecretId=name,
                             TagKeys=to_remove)
        wanted_view["tags"] = {k: v for k, v in before["tags"].items() if k not in to_remove}
        wanted_view["tags"].update(to_add)
        self.tracker.record("secrets", name, before, wanted_view)

    # ----- delete -----
    def absent(self):
        self.read_parameters()
        self.read_secrets()
        names = [self.parameter_name(s) for s in self.settings if self.parameter_name(s) in self.parameters]
        for start in range(0, len(names), 10):
            batch = names[start:start + 10]
            self.tracker.act("delete parameters %s" % ", ".join(batch), self.ssm.delete_parameters, aws_retry=True,
                             Names=batch)
        for name in names:
            self.tracker.record("parameters", name, {"value": HIDDEN}, None)
        for name, entry in sorted(self.secrets.items()):
            if entry.get("DeletedDate"):
                continue
            self.tracker.act("delete secret %s (recoverable for %d days)" % (name, self.params["recovery_window_days"]),
                             self.sm.delete_secret, aws_retry=True, SecretId=name,
                             RecoveryWindowInDays=self.params["recovery_window_days"])
            self.tracker.record("secrets", name, {"arn": entry["ARN"]}, None)
        self.secrets = {}
        return self.result()

    def result(self):
        prefix = self.params["secret_prefix"]
        secrets = {}
        for setting in self.settings:
            name = self.secret_name(setting)
            if name and name in self.secrets:
                secrets[setting["secret"]] = {"name": name, "arn": self.secrets[name].get("ARN")}
        absent = self.params["state"] == "absent"
        return {
            "changed": self.tracker.changed,
            "parameters": {} if absent else {s["name"]: self.parameter_name(s) for s in self.settings if s["ssm"]},
            "secrets": secrets if prefix else {},
            "generated": self.generated,
            "actions": self.tracker.actions,
            "diff": self.tracker.diff,
        }


def validate(module):
    """Fail before any API call when the inputs cannot work (no message shows a value)."""
    params = module.params
    errors = []
    names = [s["name"] for s in params["settings"]]
    errors += ["settings: name %s is used twice" % n for n in sorted({n for n in names if names.count(n) > 1})]
    keys = [(s["secret"], s.get("secret_key") or s["name"]) for s in params["settings"] if s.get("secret")]
    errors += ["settings: secret %s has key %s twice" % k for k in sorted({k for k in keys if keys.count(k) > 1})]
    for index, setting in enumerate(params["settings"]):
        errors += setting_errors("settings[%d]" % index, setting, setting.get("value") is not None)
        if setting.get("value") == "":
            errors.append("settings[%d] (%s).value: empty; leave it unset to generate one" % (index, setting["name"]))
    if any(s["ssm"] for s in params["settings"]):
        errors += path_errors("ssm_path", params.get("ssm_path"))
    if any(s.get("secret") for s in params["settings"]):
        errors += prefix_errors("secret_prefix", params.get("secret_prefix"))
    if not 7 <= params["recovery_window_days"] <= 30:
        errors.append("recovery_window_days: %d must be between 7 and 30" % params["recovery_window_days"])
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)


def main():
    setting_spec = dict(
        name=dict(type="str", required=True),
        value=dict(type="str", no_log=True),
        generate=dict(type="str", choices=["password", "laravel_app_key", "hex", "base64", "none"], default="password"),
        length=dict(type="int", default=32, no_log=False),
        ssm=dict(type="bool", default=True),
        ssm_type=dict(type="str", choices=["SecureString", "String"], default="SecureString"),
        secret=dict(type="str", no_log=False),
        secret_key=dict(type="str", no_log=False),
        description=dict(type="str"),
        overwrite=dict(type="bool"),
    )
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        ssm_path=dict(type="str"),
        secret_prefix=dict(type="str", no_log=False),
        overwrite=dict(type="bool", default=False),
        kms_key_id=dict(type="str", no_log=False),
        recovery_window_days=dict(type="int", default=30),
        settings=dict(type="list", elements="dict", options=setting_spec, required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    store = SecretStore(module)
    try:
        result = store.present() if module.params["state"] == "present" else store.absent()
    except is_boto3_error_code("AccessDeniedException") as exc:
        module.fail_json_aws(exc, msg="access denied to SSM or Secrets Manager")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
