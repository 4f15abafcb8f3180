# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: database_input_errors
short_description: List what is wrong with the database role's variables
version_added: 0.2.0
description:
  - Checks the database tier's inputs on the controller, before any AWS API call, and returns one
    message per problem, each naming the variable to fix.
  - Checks the engine (mysql, postgres or mongodb_atlas), the instance class (db.<family>.<size>),
    the engine version against the parameter group family, storage size and type with gp3/io1/io2
    IOPS and throughput that RDS accepts together, backup retention (0-35, and not 0 for a Multi-AZ
    production database), backup and maintenance windows (well formed, not overlapping), port,
    master user and database names, subnet and security group ids, the secret's name, and the types
    of known engine parameters. For mongodb_atlas, the URI's scheme (never echoing the URI).
positional: _input
options:
  _input:
    description: A dictionary of the database role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop before any API call when the database inputs are wrong
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ database_inputs | webstack.aws.database_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the inputs are sound.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.database_spec import database_input_errors


def _database_input_errors(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("database_input_errors expects a dictionary of the database role's variables")
    return database_input_errors(settings)


class FilterModule:
    def filters(self):
        return {"database_input_errors": _database_input_errors}
