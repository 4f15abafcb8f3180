"""Make webstack.aws importable under its FQCN (ansible_collections.webstack.aws) for pytest.

scripts/setup.sh links .ansible/collections/ansible_collections/webstack/aws to the repository;
amazon.aws and community.aws come from the venv's site-packages. Both ansible_collections
folders are namespace packages, so Python merges them.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".ansible", "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


def pytest_collection_modifyitems(items):
    """The molecule scenarios first: they are one long scope that one worker runs scenario after
    scenario (scripts/molecule.sh takes a lock), so starting them first lets the other worker
    take every other test meanwhile instead of idling at the end (scripts/test.sh passes
    --no-loadscope-reorder so that xdist keeps this order)."""
    items.sort(key=lambda item: item.get_closest_marker("molecule") is None)
