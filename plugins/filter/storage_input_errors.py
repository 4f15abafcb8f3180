# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: storage_input_errors
short_description: List what is wrong with the storage role's variables
version_added: 0.2.0
description:
  - Checks the storage tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the application profile, every bucket name against
    S3's naming rules, the CORS origins, the lifecycle rules (transition order and minimum days),
    and the role and CloudFront distribution ARNs.
positional: _input
options:
  _input:
    description: A dictionary of the storage role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the storage inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'storage_files_bucket_name': 'Innobic_Files'} | webstack.aws.storage_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.storage_spec import storage_input_errors


def _storage_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("storage_input_errors expects a dictionary of the storage role's variables")
    return storage_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"storage_input_errors": _storage_input_errors}
