# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: iam_input_errors
short_description: List what is wrong with the iam role's variables
version_added: 0.2.0
description:
  - Checks the iam tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the application profile, role and instance profile
    names, the role path, bucket names, managed policy ARNs, the Secrets Manager name prefix and
    the SSM parameter path of the instance policy.
positional: _input
options:
  _input:
    description: A dictionary of the iam role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the iam inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'iam_instance_role_name': 'bad name!'} | webstack.aws.iam_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.iam_spec import iam_input_errors


def _iam_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("iam_input_errors expects a dictionary of the iam role's variables")
    return iam_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"iam_input_errors": _iam_input_errors}
