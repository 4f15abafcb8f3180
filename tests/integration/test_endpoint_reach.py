"""AWS_ENDPOINT_URL reaches amazon.aws's and community.aws's modules through the collection's
action group, the lookups through the inventory variable, and the aws_ec2 inventory plugin."""

from __future__ import annotations

import json
import os
import subprocess

import boto3

from tests.integration.conftest import ROOT
from tests.integration.conftest import VENV_BIN


def test_action_group_and_lookups_reach_the_endpoint(playbook, local_aws):
    local_aws.start_recording()
    run = playbook("tests/integration/playbooks/endpoint_reach.yml")
    assert run.rc == 0, run.raw + run.stderr
    operations = {c.operation for c in local_aws.calls()}
    assert {"PutParameter", "PUT /webstack-test-reach", "GetParameter"} <= operations, operations


def test_aws_ec2_inventory_groups_local_instances_by_tag(local_aws):
    client = boto3.client("ec2", region_name="ap-southeast-1", endpoint_url=local_aws.url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    image = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    tags = [{"Key": "Project", "Value": "innobic"}, {"Key": "Environment", "Value": "staging"},
            {"Key": "Role", "Value": "web"}]
    [instance] = client.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium",
                                      TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])["Instances"]
    try:
        env = dict(os.environ, AWS_ENDPOINT_URL=local_aws.url, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
        result = subprocess.run([os.path.join(VENV_BIN, "ansible-inventory"), "-i", "inventories/local", "--list"],
                                cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        inventory = json.loads(result.stdout)
        for group in ("project_innobic", "env_staging", "role_web"):
            assert instance["InstanceId"] in inventory[group]["hosts"], group
        ansible_host = inventory["_meta"]["hostvars"][instance["InstanceId"]]["ansible_host"]
        # ansible-inventory marks values from AWS as unsafe (not to be templated).
        ansible_host = ansible_host.get("__ansible_unsafe") if isinstance(ansible_host, dict) else ansible_host
        assert ansible_host == instance["PrivateIpAddress"]
    finally:
        client.terminate_instances(InstanceIds=[instance["InstanceId"]])
