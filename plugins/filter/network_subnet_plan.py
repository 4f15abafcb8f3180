# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: network_subnet_plan
short_description: Turn the network role's variables into vpc_network's subnets option
version_added: 0.1.0
description:
  - The n-th subnet of each tier goes to the n-th availability zone and is named
    C(<project>-<environment>-<tier>-<zone suffix>), as the guides name them.
  - Public subnets route to the internet gateway and hold the NAT gateways; app subnets route
    through a NAT gateway unless C(network_nat_gateway_mode) is C(none); db subnets have no route out.
positional: _input
options:
  _input:
    description: A dictionary of the network role's variables, keyed by variable name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the subnets a one-zone network gets
  ansible.builtin.debug:
    msg: "{{ {'network_project': 'innobic', 'network_environment': 'production',
             'network_availability_zones': ['ap-southeast-1a'],
             'network_public_subnets': ['10.0.1.0/24']} | webstack.aws.network_subnet_plan }}"
"""

RETURN = r"""
_value:
  description: The O(webstack.aws.vpc_network#module:subnets) option of M(webstack.aws.vpc_network).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.webstack.aws.plugins.module_utils.network_spec import network_subnet_plan


def _network_subnet_plan(settings):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("network_subnet_plan expects a dictionary of the network role's variables")
    return network_subnet_plan(settings)


class FilterModule:
    def filters(self):
        return {"network_subnet_plan": _network_subnet_plan}
