"""The database tier's input checks (database_spec, window_spec): the guide's defaults pass, and
each kind of bad input yields a message that names the variable."""

from __future__ import annotations

import pytest

from ansible_collections.webstack.aws.plugins.module_utils.database_spec import database_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import same_parameter_value
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import version_satisfied
from ansible_collections.webstack.aws.plugins.module_utils.window_spec import window_errors

GUIDE = {
    "database_project": "innobic", "database_environment": "production", "database_engine": "mysql",
    "database_engine_version": "8.0.35", "database_parameter_group_family": "mysql8.0",
    "database_identifier": "innobic-production-mysql", "database_instance_class": "db.t3.medium",
    "database_allocated_storage": 100, "database_storage_type": "gp3", "database_iops": 3000,
    "database_storage_throughput": 125, "database_storage_encrypted": True, "database_kms_key_id": "",
    "database_multi_az": True, "database_port": 3306, "database_name": "innobic",
    "database_master_username": "admin", "database_backup_retention": 7, "database_backup_window": "03:00-04:00",
    "database_maintenance_window": "sun:04:00-sun:05:00", "database_subnet_ids": ["subnet-0a1", "subnet-0b2"],
    "database_security_group_ids": ["sg-0c3"], "database_secret_name": "innobic/production/database",
    "database_parameters": {"max_connections": 200, "innodb_buffer_pool_size": 2684354560, "slow_query_log": 1,
                            "long_query_time": 2, "general_log": 0},
    "database_mongodb_uri": "", "database_mongodb_uri_parameter": "/innobic/production/mongodb-uri",
}


def errors(**overrides):
    settings = dict(GUIDE)
    settings.update(overrides)
    return database_input_errors(settings)


def test_the_guides_defaults_pass():
    assert errors() == []


def test_postgres_alternative_passes():
    assert errors(database_engine="postgres", database_engine_version="16.4", database_parameter_group_family="postgres16",
                  database_master_username="postgres", database_port=5432,
                  database_parameters={"max_connections": 200, "shared_buffers": 327680,
                                       "log_min_duration_statement": 2000, "log_statement": "none"}) == []


@pytest.mark.parametrize("overrides, expected", [
    ({"database_instance_class": "t3.medium"}, "database_instance_class: 't3.medium' is not an RDS instance class"),
    ({"database_instance_class": "db.t3"}, "database_instance_class: 'db.t3'"),
    ({"database_instance_class": "db.t3.huge"}, "database_instance_class: 'db.t3.huge'"),
    ({"database_backup_retention": 36}, "database_backup_retention: 36 is out of range (0-35)"),
    ({"database_backup_retention": -1}, "database_backup_retention: -1 is out of range (0-35)"),
    ({"database_backup_retention": 0}, "database_backup_retention: 0 turns automated backups off"),
    ({"database_allocated_storage": 19}, "database_allocated_storage: 19 is out of range (20-65536)"),
    ({"database_iops": 5000}, "database_iops: gp3 below 400 GiB (database_allocated_storage is 100)"),
    ({"database_storage_throughput": 250}, "database_storage_throughput: gp3 below 400 GiB"),
    ({"database_allocated_storage": 500, "database_iops": 3000}, "database_iops: gp3 from 400 GiB takes 12000-64000"),
    ({"database_allocated_storage": 500, "database_iops": 12000, "database_storage_throughput": 4000},
     "database_storage_throughput: 4000 MiB/s is more than a quarter of database_iops"),
    ({"database_storage_type": "gp2"}, "database_iops/database_storage_throughput: gp2 storage takes neither"),
    ({"database_storage_type": "io1", "database_iops": None, "database_storage_throughput": None},
     "database_iops: io1 storage needs provisioned IOPS"),
    ({"database_storage_type": "st1"}, "database_storage_type: 'st1' must be one of"),
    ({"database_engine": "oracle"}, "database_engine: 'oracle' is not one of mysql, postgres, mongodb_atlas"),
    ({"database_engine_version": "8.4.3"}, "database_parameter_group_family: 8.4.3 belongs to parameter group "
                                           "family mysql8.4"),
    ({"database_backup_window": "03:00-03:15"}, "database_backup_window: 03:00-03:15 must last at least 30 minutes"),
    ({"database_backup_window": "3am"}, "database_backup_window: '3am' is not a daily window"),
    ({"database_maintenance_window": "sun:03:30-sun:04:30"}, "database_backup_window: 03:00-04:00 overlaps "
                                                             "database_maintenance_window"),
    ({"database_maintenance_window": "funday:04:00-sun:05:00"}, "database_maintenance_window: 'funday"),
    ({"database_parameters": {"max_connections": "many"}}, "database_parameters.max_connections: 'many' is not a "
                                                           "whole number"),
    ({"database_parameters": {"long_query_time": "slow"}}, "database_parameters.long_query_time: 'slow' is not a number"),
    ({"database_parameters": {"slow_query_log": "maybe"}}, "database_parameters.slow_query_log: 'maybe' is not a boolean"),
    ({"database_parameters": {"max_connections": [1]}}, "database_parameters.max_connections: [1] is not a single value"),
    ({"database_subnet_ids": ["subnet-0a1"]}, "database_subnet_ids: needs at least 2 ids, got 1"),
    ({"database_security_group_ids": ["db"]}, "database_security_group_ids[0]: 'db' is not a sg-... id"),
    ({"database_master_username": "rdsadmin"}, "database_master_username: rdsadmin is reserved"),
    ({"database_name": "1nnobic"}, "database_name: '1nnobic' must be"),
    ({"database_identifier": "innobic--mysql"}, "database_identifier: 'innobic--mysql' must start with a letter"),
    ({"database_port": 80}, "database_port: 80 is out of range (1150-65535)"),
    ({"database_storage_encrypted": False, "database_kms_key_id": "alias/x"},
     "database_kms_key_id: a KMS key needs database_storage_encrypted: true"),
])
def test_bad_input_names_the_variable(overrides, expected):
    found = errors(**overrides)
    assert any(message.startswith(expected) for message in found), found


def test_mongodb_atlas_checks_the_uri_without_echoing_it():
    assert errors(database_engine="mongodb_atlas", database_mongodb_uri="mongodb+srv://u:p@c.example.net/db") == []
    found = errors(database_engine="mongodb_atlas", database_mongodb_uri="postgres://u:Secr3t@h/db")
    assert found and found[0].startswith("database_mongodb_uri:")
    assert "Secr3t" not in " ".join(found)


def test_windows_are_half_open_and_weekly_windows_may_wrap_the_week():
    assert window_errors("b", "03:00-04:00", "m", "sun:04:00-sun:05:00") == []
    assert window_errors("b", "23:30-00:30", "m", "sun:00:00-sun:01:00")  # the daily window wraps midnight
    assert window_errors("b", "03:00-04:00", "m", "sun:23:30-mon:00:30") == []
    assert window_errors("b", "00:00-00:30", "m", "sun:23:30-mon:00:15")  # wraps the week into Monday


def test_parameter_values_compare_as_aws_keeps_them():
    assert same_parameter_value("2.000000", "2")
    assert same_parameter_value("ON", "on")
    assert not same_parameter_value("200", "250")
    assert not same_parameter_value(None, "1")


def test_versions_never_downgrade():
    assert version_satisfied("8.0.35", "8.0.35")
    assert version_satisfied("8.0.36", "8.0.35")  # an automatic minor upgrade
    assert version_satisfied("7.0.7", "7.0")
    assert not version_satisfied("8.0.35", "8.0.36")
    assert not version_satisfied("15.4", "16")
