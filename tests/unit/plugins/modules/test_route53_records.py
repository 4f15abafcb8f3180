"""route53_records against moto in-process (mock_aws): the zone found or created, alias and MX
records in one change, a converged re-run, drift repaired with one UPSERT of only the record
that differs, check mode, and the zone's deletion."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.modules import route53_records

REGION = "ap-southeast-1"
ALIAS = {"dns_name": "t-alb-1.ap-southeast-1.elb.amazonaws.com", "hosted_zone_id": "Z1LMS91P8CMLE5"}
RECORDS = [
    {"name": "", "type": "A", "alias": ALIAS},
    {"name": "www", "type": "A", "alias": ALIAS},
    {"name": "api.example.com", "type": "A", "alias": ALIAS},
    {"name": "@", "type": "MX", "values": ["10 inbound-smtp.ap-southeast-1.amazonaws.com"]},
]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("route53", region_name=REGION)


def run(capsys, check_mode=False, **overrides):
    args = {"zone": "example.com", "region": REGION, "records": RECORDS, "tags": {"Project": "t"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            route53_records.main()
    return json.loads(capsys.readouterr().out)


def record_sets(aws, zone_id):
    return {(r["Name"], r["Type"]): r for r in aws.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]}


def test_creates_zone_and_records_in_one_change_then_changes_nothing(aws, capsys):
    first = run(capsys)
    assert first["changed"] is True
    assert first["actions"][0] == "create hosted zone example.com."
    assert len([a for a in first["actions"] if a.startswith("change record sets")]) == 1
    found = record_sets(aws, first["zone_id"])
    for name in ("example.com.", "www.example.com.", "api.example.com."):
        assert found[(name, "A")]["AliasTarget"]["DNSName"].rstrip(".") == ALIAS["dns_name"]
    assert found[("example.com.", "MX")]["ResourceRecords"] == [{"Value": "10 inbound-smtp.ap-southeast-1.amazonaws.com"}]
    tags = aws.list_tags_for_resource(ResourceType="hostedzone", ResourceId=first["zone_id"])["ResourceTagSet"]["Tags"]
    assert tags == [{"Key": "Project", "Value": "t"}]

    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["zone_id"] == first["zone_id"]
    assert len(second["name_servers"]) == 4


def test_existing_zone_is_found_not_duplicated(aws, capsys):
    zone_id = aws.create_hosted_zone(Name="example.com", CallerReference="by-hand")["HostedZone"]["Id"].split("/")[-1]
    result = run(capsys)
    assert result["zone_id"] == zone_id
    assert len(aws.list_hosted_zones()["HostedZones"]) == 1


def test_drifted_record_is_upserted_alone(aws, capsys):
    first = run(capsys)
    aws.change_resource_record_sets(HostedZoneId=first["zone_id"], ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": "example.com.", "Type": "MX", "TTL": 300,
                                                  "ResourceRecords": [{"Value": "10 mail.elsewhere.example"}]}}]})
    check = run(capsys, check_mode=True)
    assert check["changed"] is True
    assert check["diff"]["before"]["records"]["example.com. MX"]["values"] == ["10 mail.elsewhere.example"]
    assert record_sets(aws, first["zone_id"])[("example.com.", "MX")]["ResourceRecords"][0]["Value"] == "10 mail.elsewhere.example"
    repaired = run(capsys)
    assert repaired["actions"] == ["change record sets in zone UPSERT example.com. MX"]
    assert run(capsys)["changed"] is False


def test_check_mode_on_empty_account_creates_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert result["zone_id"] is None
    assert aws.list_hosted_zones()["HostedZones"] == []


def test_wildcard_and_case_do_not_count_as_differences(aws, capsys):
    records = [{"name": "*.Example.com", "type": "CNAME", "values": ["Target.Example.com."]}]
    assert run(capsys, records=records)["changed"] is True
    assert run(capsys, records=records)["changed"] is False


def test_absent_deletes_listed_records_then_the_zone(aws, capsys):
    run(capsys)
    gone = run(capsys, state="absent")
    assert gone["changed"] is True
    assert aws.list_hosted_zones()["HostedZones"] == []


def test_absent_refuses_to_delete_a_zone_with_other_records(aws, capsys):
    first = run(capsys)
    aws.change_resource_record_sets(HostedZoneId=first["zone_id"], ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {"Name": "other.example.com.", "Type": "TXT", "TTL": 300,
                                                  "ResourceRecords": [{"Value": "\"x\""}]}}]})
    refused = run(capsys, state="absent")
    assert refused["failed"] is True
    assert "other.example.com. TXT" in refused["msg"]


@pytest.mark.parametrize("records, fragment", [
    ([{"name": "x", "type": "A"}], "records[0].values: required"),
    ([{"name": "x", "type": "MX", "alias": ALIAS}], "records[0].type: an alias record must be A or AAAA"),
    ([{"name": "www", "type": "A", "alias": ALIAS}, {"name": "www.example.com", "type": "A", "alias": ALIAS}],
     "records[1]: www.example.com. A is listed twice"),
])
def test_bad_input_fails_before_any_call(aws, capsys, records, fragment):
    result = run(capsys, records=records)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert aws.list_hosted_zones()["HostedZones"] == []
