from ansible_collections.webstack.aws.plugins.module_utils.network_spec import cidr_errors
from ansible_collections.webstack.aws.plugins.module_utils.network_spec import network_input_errors
from ansible_collections.webstack.aws.plugins.module_utils.network_spec import network_subnet_plan

DEFAULTS = {
    "network_project": "innobic",
    "network_environment": "production",
    "network_region": "ap-southeast-1",
    "network_vpc_cidr": "10.0.0.0/16",
    "network_availability_zones": ["ap-southeast-1a", "ap-southeast-1b"],
    "network_public_subnets": ["10.0.1.0/24", "10.0.2.0/24"],
    "network_app_subnets": ["10.0.10.0/24", "10.0.11.0/24"],
    "network_db_subnets": ["10.0.20.0/24", "10.0.21.0/24"],
    "network_nat_gateway_mode": "per_az",
}


def errors_with(**changes):
    settings = dict(DEFAULTS)
    settings.update(changes)
    return network_input_errors(settings)


def test_the_guides_defaults_are_sound():
    assert errors_with() == []


def test_subnet_outside_the_vpc_names_the_variable_and_index():
    [error] = errors_with(network_app_subnets=["10.0.10.0/24", "10.1.11.0/24"])
    assert error.startswith("network_app_subnets[1]: 10.1.11.0/24 is outside network_vpc_cidr")


def test_overlapping_subnets_name_both_variables():
    [error] = errors_with(network_db_subnets=["10.0.1.128/25", "10.0.21.0/24"])
    assert "network_db_subnets[0]" in error and "overlaps network_public_subnets[0]" in error


def test_malformed_cidrs():
    assert errors_with(network_vpc_cidr="10.0.0.0")[0].startswith("network_vpc_cidr:")
    assert errors_with(network_public_subnets=["10.0.1.1/24", "10.0.2.0/24"])[0].startswith("network_public_subnets[0]:")
    assert errors_with(network_public_subnets=["banana/24", "10.0.2.0/24"])[0].startswith("network_public_subnets[0]:")
    assert errors_with(network_vpc_cidr="10.0.0.0/8")[0].startswith("network_vpc_cidr:")


def test_fewer_zones_than_subnets():
    errors = errors_with(network_availability_zones=["ap-southeast-1a"])
    assert len(errors) == 3
    assert all("network_availability_zones has 1" in e for e in errors)


def test_zone_outside_region_and_duplicate_zone():
    assert errors_with(network_availability_zones=["us-east-1a", "ap-southeast-1b"]) == [
        "network_availability_zones[0]: us-east-1a is not in network_region ap-southeast-1"]
    assert "twice" in errors_with(network_availability_zones=["ap-southeast-1a", "ap-southeast-1a"])[0]


def test_empty_or_bad_names():
    assert errors_with(network_project="") == ["network_project: must not be empty"]
    assert errors_with(network_project="   ") == ["network_project: must not be empty"]
    assert errors_with(network_environment="Prod_1")[0].startswith("network_environment:")


def test_nat_mode():
    assert errors_with(network_nat_gateway_mode="two")[0].startswith("network_nat_gateway_mode:")
    assert errors_with(network_public_subnets=[])[0].startswith("network_nat_gateway_mode:")
    assert errors_with(network_public_subnets=[], network_nat_gateway_mode="none") == []


def test_cidr_errors_reports_every_problem():
    errors = cidr_errors("vpc", "10.0.0.0/16", [("a", "10.0.0.0/24"), ("b", "10.0.0.0/25"), ("c", "192.168.0.0/24")])
    assert errors == ["b: 10.0.0.0/25 overlaps a 10.0.0.0/24", "c: 192.168.0.0/24 is outside vpc 10.0.0.0/16"]


def test_subnet_plan_follows_the_guide():
    plan = network_subnet_plan(DEFAULTS)
    assert [(s["name"], s["cidr"], s["availability_zone"], s["route"], s["nat_gateway"]) for s in plan] == [
        ("innobic-production-public-1a", "10.0.1.0/24", "ap-southeast-1a", "internet", True),
        ("innobic-production-public-1b", "10.0.2.0/24", "ap-southeast-1b", "internet", True),
        ("innobic-production-app-1a", "10.0.10.0/24", "ap-southeast-1a", "nat", False),
        ("innobic-production-app-1b", "10.0.11.0/24", "ap-southeast-1b", "nat", False),
        ("innobic-production-db-1a", "10.0.20.0/24", "ap-southeast-1a", "none", False),
        ("innobic-production-db-1b", "10.0.21.0/24", "ap-southeast-1b", "none", False),
    ]


def test_subnet_plan_single_and_no_nat():
    single = network_subnet_plan(dict(DEFAULTS, network_nat_gateway_mode="single"))
    assert [s["nat_gateway"] for s in single if s["tier"] == "public"] == [True, False]
    none = network_subnet_plan(dict(DEFAULTS, network_nat_gateway_mode="none"))
    assert not any(s["nat_gateway"] for s in none)
    assert {s["route"] for s in none if s["tier"] == "app"} == {"none"}
