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
