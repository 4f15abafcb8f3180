"""app_secrets against moto in-process (mock_aws): settings generated into SSM SecureStrings
and Secrets Manager JSON secrets, the module's whole output free of every value, re-runs that
neither read nor write values they do not need, never overwriting unless asked, copying a value
that exists in one store to the other, restoring a secret scheduled for deletion, check mode,
delete, and bad input that fails before any call."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.webstack.aws.plugins.module_utils.secrets_spec import generate
from ansible_collections.webstack.aws.plugins.modules import app_secrets

REGION = "ap-southeast-1"
PATH = "/t/test"
PREFIX = "t/test"


def settings():
    return [
        {"name": "app-key", "generate": "laravel_app_key", "secret": "app-key", "secret_key": "key"},
        {"name": "db-username", "value": "appuser", "secret": "database", "secret_key": "username"},
        {"name": "db-password", "secret": "database", "secret_key": "password"},
        {"name": "redis-password", "secret": "redis", "secret_key": "password", "length": 40},
    ]


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield {"ssm": boto3.client("ssm", region_name=REGION), "sm": boto3.client("secretsmanager", region_name=REGION)}


def run(capsys, check_mode=False, **overrides):
    args = {"region": REGION, "ssm_path": PATH, "secret_prefix": PREFIX, "settings": settings(),
            "tags": {"Project": "t"}}
    args.update(overrides)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            app_secrets.main()
    raw = capsys.readouterr().out
    result = json.loads(raw)
    result["_raw"] = raw
    return result


def stored(aws):
    """Every value in both stores, read back with boto3."""
    parameters = aws["ssm"].get_parameters_by_path(Path=PATH, WithDecryption=True)["Parameters"]
    values = {p["Name"].rsplit("/", 1)[1]: p["Value"] for p in parameters}
    for name in ("app-key", "database", "redis"):
        try:
            values["secret:" + name] = json.loads(aws["sm"].get_secret_value(SecretId="%s/%s" % (PREFIX, name))["SecretString"])
        except aws["sm"].exceptions.ResourceNotFoundException:
            pass
    return values


def test_generates_every_setting_into_both_stores_and_prints_no_value(aws, capsys):
    result = run(capsys)
    assert result["changed"] is True
    assert sorted(result["generated"]) == ["app-key", "db-password", "redis-password"]
    values = stored(aws)
    key = values["app-key"]
    assert key.startswith("base64:") and len(base64.b64decode(key[len("base64:"):])) == 32
    assert values["secret:app-key"] == {"key": key}
    assert values["db-username"] == "appuser"
    assert values["secret:database"] == {"username": "appuser", "password": values["db-password"]}
    assert len(values["redis-password"]) == 40 and values["redis-password"].isalnum()
    assert values["secret:redis"] == {"password": values["redis-password"]}
    for value in (key, values["db-password"], values["redis-password"]):
        assert value not in result["_raw"]
    assert result["parameters"]["db-password"] == "/t/test/db-password"
    assert result["secrets"]["database"]["arn"].startswith("arn:aws:secretsmanager:%s:" % REGION)
    assert result["diff"]["after"]["secrets"]["t/test/database"]["values"] == {
        "password": "<secret (changed)>", "username": "<secret (changed)>"}
    [parameter] = aws["ssm"].describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": ["/t/test/db-password"]}])["Parameters"]
    assert parameter["Type"] == "SecureString"
    tags = aws["ssm"].list_tags_for_resource(ResourceType="Parameter", ResourceId="/t/test/db-password")["TagList"]
    assert tags == [{"Key": "Project", "Value": "t"}]


def test_rerun_changes_nothing_and_keeps_values(aws, capsys):
    run(capsys)
    before = stored(aws)
    second = run(capsys)
    assert second["changed"] is False, second["actions"]
    assert second["generated"] == []
    assert stored(aws) == before
    assert second["diff"]["before"] == second["diff"]["after"]
    assert run(capsys, check_mode=True)["changed"] is False


def test_given_value_does_not_overwrite_unless_asked(aws, capsys):
    run(capsys)
    password = stored(aws)["db-password"]
    specs = settings()
    specs[2]["value"] = "Given-password-123456"
    assert run(capsys, settings=specs)["changed"] is False
    assert stored(aws)["db-password"] == password
    specs[2]["overwrite"] = True
    result = run(capsys, settings=specs)
    assert sorted(result["actions"]) == ["update parameter /t/test/db-password", "update secret t/test/database (password)"]
    values = stored(aws)
    assert values["db-password"] == "Given-password-123456"
    assert values["secret:database"]["password"] == "Given-password-123456"
    assert "Given-password-123456" not in result["_raw"]
    assert run(capsys, settings=specs)["changed"] is False


def test_overwrite_of_a_generated_setting_rotates_it(aws, capsys):
    run(capsys)
    old = stored(aws)["redis-password"]
    specs = settings()
    specs[3]["overwrite"] = True
    result = run(capsys, settings=specs)
    assert result["generated"] == ["redis-password"]
    values = stored(aws)
    assert values["redis-password"] != old
    assert values["secret:redis"]["password"] == values["redis-password"]
    assert values["secret:database"]["password"] == values["db-password"]


def test_a_value_in_one_store_is_copied_to_the_other(aws, capsys):
    aws["sm"].create_secret(Name="t/test/database", SecretString=json.dumps({"password": "FromSecret123"}))
    aws["ssm"].put_parameter(Name="/t/test/redis-password", Value="FromParameter123", Type="SecureString")
    result = run(capsys)
    values = stored(aws)
    assert values["db-password"] == "FromSecret123"
    assert values["secret:redis"] == {"password": "FromParameter123"}
    assert values["secret:database"] == {"password": "FromSecret123", "username": "appuser"}
    assert sorted(result["generated"]) == ["app-key"]
    assert "FromSecret123" not in result["_raw"] and "FromParameter123" not in result["_raw"]


def test_secret_scheduled_for_deletion_is_restored_not_recreated(aws, capsys):
    run(capsys)
    password = stored(aws)["db-password"]
    aws["sm"].delete_secret(SecretId="t/test/database", RecoveryWindowInDays=7)
    result = run(capsys)
    assert result["actions"] == ["restore secret t/test/database (it was scheduled for deletion)"]
    assert stored(aws)["secret:database"]["password"] == password


def test_check_mode_on_empty_account_writes_nothing(aws, capsys):
    result = run(capsys, check_mode=True)
    assert result["changed"] is True
    assert "create secret t/test/database" in result["actions"]
    assert stored(aws) == {}
    assert result["secrets"]["database"]["arn"] is None


def test_tag_drift_is_repaired_without_touching_values(aws, capsys):
    run(capsys)
    before = stored(aws)
    aws["ssm"].add_tags_to_resource(ResourceType="Parameter", ResourceId="/t/test/app-key",
                                    Tags=[{"Key": "Owner", "Value": "x"}])
    arn = aws["sm"].describe_secret(SecretId="t/test/redis")["ARN"]
    aws["sm"].untag_resource(SecretId=arn, TagKeys=["Project"])
    result = run(capsys)
    assert sorted(result["actions"]) == ["tag secret t/test/redis", "untag parameter /t/test/app-key"]
    assert stored(aws) == before


def test_delete_removes_parameters_and_schedules_secrets(aws, capsys):
    run(capsys)
    gone = run(capsys, state="absent", recovery_window_days=7)
    assert gone["changed"] is True
    assert aws["ssm"].get_parameters_by_path(Path=PATH)["Parameters"] == []
    assert aws["sm"].list_secrets()["SecretList"] == []
    assert run(capsys, state="absent")["changed"] is False


def test_generators():
    assert len(generate("password", 24)) == 24
    assert len(generate("hex", 32)) == 64
    assert len(base64.b64decode(generate("base64", 48))) == 48
    assert generate("password", 32) != generate("password", 32)


@pytest.mark.parametrize("change, fragment", [
    ({"name": "bad name"}, "settings[0].name"),
    ({"generate": "none"}, "settings[0]: no value and generate=none"),
    ({"generate": "password", "length": 8}, "settings[0].length"),
    ({"ssm": False, "secret": None}, "settings[0]: stored nowhere"),
    ({"value": ""}, "settings[0] (app-key).value: empty"),
])
def test_bad_input_fails_before_any_call(aws, capsys, change, fragment):
    specs = settings()
    specs[0].update(change)
    specs[0] = {k: v for k, v in specs[0].items() if v is not None}
    result = run(capsys, settings=specs)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert stored(aws) == {}


def test_bad_path_fails_naming_it(aws, capsys):
    result = run(capsys, ssm_path="t/test/")
    assert result["failed"] is True
    assert result["msg"].startswith("ssm_path:")
