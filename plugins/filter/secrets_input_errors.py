# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: secrets_input_errors
short_description: List what is wrong with the secrets role's variables
version_added: 0.2.0
description:
  - Checks the secrets tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the application profile, the SSM path, the Secrets
    Manager name prefix and the extra settings. It only looks at whether a setting has a value;
    no message holds a value.
positional: _input
options:
  _input:
    description: A dictionary of the secrets role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the secrets inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'secrets_ssm_path': 'innobic/production/'} | webstack.aws.secrets_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import secrets_input_errors


def _secrets_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("secrets_input_errors expects a dictionary of the secrets role's variables")
    return secrets_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"secrets_input_errors": _secrets_input_errors}
