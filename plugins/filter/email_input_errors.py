# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: email_input_errors
short_description: List what is wrong with the email role's variables
version_added: 0.2.0
description:
  - Checks the email tier's inputs on the controller, before any AWS API call, and returns
    one message per problem, each naming the variable to fix.
  - Checks project and environment names, the domain, the MAIL FROM subdomain (it must lie under the domain), the behaviour on MX failure, the
    configuration set name, the event types of each destination and the CloudWatch dimension.
positional: _input
options:
  _input:
    description: A dictionary of the email role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the email inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ {'email_domain': 'innobic.example', 'email_mail_from_domain': 'mail.other.example'} | webstack.aws.email_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.email_spec import email_input_errors


def _email_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("email_input_errors expects a dictionary of the email role's variables")
    return email_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"email_input_errors": _email_input_errors}
