"""Every molecule scenario under molecule/ on the local host image (podman, systemd as PID 1):
create, converge, idempotence, verify, destroy. One at a time: the machine has two cores."""

from __future__ import annotations

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = sorted(d for d in os.listdir(os.path.join(ROOT, "molecule"))
                   if os.path.isfile(os.path.join(ROOT, "molecule", d, "molecule.yml")))


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "molecule.sh"), scenario], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
