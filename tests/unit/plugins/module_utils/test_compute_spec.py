"""The compute tier's input checks (plugins/module_utils/compute_spec.py, behind the
compute_input_errors filter), and the role's user data: rendered for every OS, it prepares the
host for Ansible and holds nothing that looks like a secret."""

from __future__ import annotations

import os

import jinja2
import pytest

from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import compute_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import instance_type_errors
from ansible_collections.webstack.aws.plugins.module_utils.compute_spec import user_data_errors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TEMPLATE = os.path.join(ROOT, "roles", "compute", "templates", "user_data.sh.j2")
SSM = {"amazon_linux_2023": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
       "ubuntu_2204": "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
       "debian_12": "/aws/service/debian/release/12/latest/amd64"}
GOOD = {
    "compute_project": "innobic", "compute_environment": "production", "compute_instance_type": "t3.medium",
    "compute_min_size": 2, "compute_max_size": 6, "compute_desired_capacity": 2, "compute_os": "amazon_linux_2023",
    "compute_ami_id": "", "compute_ami_ssm_parameters": SSM, "compute_root_volume_size": 30,
    "compute_metadata_hop_limit": 1, "compute_health_check_type": "ELB", "compute_health_check_grace_period": 300,
    "compute_cpu_target": 70, "compute_time_zone": "Asia/Singapore",
    "compute_scheduled_actions": [{"name": "scale-down-evening", "recurrence": "0 20 * * 1-5", "min_size": 1},
                                  {"name": "scale-up-morning", "recurrence": "0 8 * * 1-5", "min_size": 2}],
    "compute_user_data": "#!/bin/bash\ndnf install -y python3\n", "compute_user_data_forbidden_values": [],
    "network_subnet_ids": {"app": {"a": "subnet-1"}}, "security_groups_ids": {"web": "sg-1"},
    "iam_instance_profile_name": "innobic-production-ec2", "edge_target_group_arn": "arn:aws:elasticloadbalancing:x",
}


def render(os_name, extra=""):
    with open(TEMPLATE, encoding="utf-8") as handle:
        template = jinja2.Template(handle.read(), keep_trailing_newline=True)
    return template.render(compute_os=os_name, compute_region="ap-southeast-1", compute_user_data_extra=extra)


def test_the_guides_settings_pass():
    assert compute_input_errors(GOOD) == []


@pytest.mark.parametrize("change, message", [
    ({"compute_min_size": 7}, "compute_min_size: 7 is greater than compute_max_size (6)"),
    ({"compute_desired_capacity": 1}, "compute_desired_capacity: 1 is outside [compute_min_size, compute_max_size] = [2, 6]"),
    ({"compute_desired_capacity": 7}, "compute_desired_capacity: 7 is outside"),
    ({"compute_instance_type": "t3.huge"}, "compute_instance_type: 't3.huge' is not an EC2 instance type"),
    ({"compute_os": "windows"}, "compute_os: 'windows' must be one of"),
    ({"compute_ami_id": "ami-xyz"}, "compute_ami_id: 'ami-xyz' is not an AMI id"),
    ({"compute_root_volume_size": 4}, "compute_root_volume_size: 4 must be 8-16384 GiB"),
    ({"compute_metadata_hop_limit": 0}, "compute_metadata_hop_limit"),
    ({"compute_health_check_type": "HTTP"}, "compute_health_check_type"),
    ({"compute_cpu_target": 150}, "compute_cpu_target: 150 must be a percentage"),
    ({"compute_time_zone": "Asia/Nowhere"}, "compute_time_zone: 'Asia/Nowhere' is not a known IANA time zone"),
    ({"compute_scheduled_actions": [{"name": "x", "recurrence": "0 20 * *", "min_size": 1}]}, "compute_scheduled_actions[0].recurrence"),
    ({"compute_scheduled_actions": [{"name": "x", "recurrence": "0 20 * * 1-5", "min_size": 9}]},
     "compute_scheduled_actions[0].min_size: 9 is greater than compute_max_size (6)"),
    ({"compute_scheduled_actions": [{"name": "x", "recurrence": "0 20 * * 1-5"}]}, "give at least one of"),
    ({"compute_user_data": "export APP_KEY=base64:abcdefgh"}, "compute_user_data: contains a password, secret, key or token"),
    ({"compute_user_data": "DATABASE_URL=mysql://admin:hunter22@db/app"}, "compute_user_data: contains a URL with a password"),
    ({"compute_user_data": "-----BEGIN RSA PRIVATE KEY-----"}, "compute_user_data: contains a private key"),
    ({"network_subnet_ids": {}}, "network_subnet_ids: the Auto Scaling group needs network_subnet_ids.app"),
    ({"security_groups_ids": {}}, "security_groups_ids: the launch template needs security_groups_ids.web"),
    ({"iam_instance_profile_name": None}, "iam_instance_profile_name"),
    ({"edge_target_group_arn": None}, "edge_target_group_arn: health check type ELB needs the target group"),
])
def test_bad_input_names_the_variable(change, message):
    errors = compute_input_errors(dict(GOOD, **change))
    assert any(message in e for e in errors), errors


def test_a_forbidden_value_is_refused_without_being_repeated():
    errors = compute_input_errors(dict(GOOD, compute_user_data="echo pa55-xyz-1234 > /etc/x",
                                       compute_user_data_forbidden_values=["pa55-xyz-1234"]))
    assert errors == ["compute_user_data: contains the value of a secret (compute_user_data_forbidden_values[0])"]


def test_password_references_without_values_are_allowed():
    # Reading a secret at run time is the right way and must not be refused.
    text = 'DB_PASSWORD="$(aws ssm get-parameter --name /innobic/prod/db-password --with-decryption)"\n'
    assert user_data_errors("u", text) == []


@pytest.mark.parametrize("value", ["t3.medium", "m7g.2xlarge", "c5n.18xlarge", "u-6tb1.metal", "mac2-m2.metal",
                                   "x2iedn.32xlarge", "m7i.metal-48xl"])
def test_instance_types_of_every_shape_pass(value):
    assert instance_type_errors("t", value) == []


@pytest.mark.parametrize("os_name, needle", [
    ("amazon_linux_2023", "dnf install -y python3 amazon-ssm-agent"),
    ("ubuntu_2204", "snap install amazon-ssm-agent --classic"),
    ("debian_12", "amazon-ssm-ap-southeast-1/latest/debian_amd64/amazon-ssm-agent.deb"),
])
def test_rendered_user_data_prepares_the_host_and_holds_no_secret(os_name, needle):
    text = render(os_name)
    assert text.startswith("#!/bin/bash\n")
    assert needle in text
    assert "python3" in text
    assert user_data_errors("compute_user_data", text) == []
    assert compute_input_errors(dict(GOOD, compute_os=os_name, compute_user_data=text)) == []


def test_extra_lines_with_a_secret_are_refused():
    text = render("amazon_linux_2023", extra="echo 'NEW_RELIC_LICENSE_KEY=0123456789abcdef' >> /etc/environment")
    assert any("compute_user_data: contains a password, secret, key or token" in e
               for e in compute_input_errors(dict(GOOD, compute_user_data=text)))
