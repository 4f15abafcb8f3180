"""The collection's quality gates, run as tests so that one pytest summary covers them:
ansible-lint (production profile), ansible-test sanity, changelog fragments, and a built
tarball that installs and documents every plugin through ansible-doc."""

from __future__ import annotations

import glob
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
pytestmark = pytest.mark.quality


def run(command, **kwargs):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    env.update(kwargs.pop("env", {}))
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs)


def test_ansible_lint_production_profile_has_no_violation():
    result = run([os.path.join(BIN, "ansible-lint"), "--profile", "production", "--nocolor"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ansible_test_sanity_is_clean():
    result = run(["bash", os.path.join(ROOT, "scripts", "sanity.sh")], timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]


def test_changelog_fragments_are_valid():
    result = run([os.path.join(BIN, "antsibull-changelog"), "lint"])
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_built_collection_installs_and_documents_every_plugin(tmp_path):
    build = run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path)])
    assert build.returncode == 0, build.stderr
    [tarball] = glob.glob(str(tmp_path / "webstack-aws-*.tar.gz"))
    installed = tmp_path / "installed"
    env = {"ANSIBLE_COLLECTIONS_PATH": str(installed)}
    install = run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--force", "--no-deps",
                   "-p", str(installed), tarball], env=env)
    assert install.returncode == 0, install.stderr
    plugins = [("module", os.path.splitext(os.path.basename(p))[0])
               for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))]
    plugins += [("filter", os.path.splitext(os.path.basename(p))[0])
                for p in glob.glob(os.path.join(ROOT, "plugins", "filter", "*.py"))]
    assert plugins
    for kind, name in plugins:
        doc = run([os.path.join(BIN, "ansible-doc"), "-t", kind, "webstack.aws.%s" % name], env=env)
        assert doc.returncode == 0, doc.stderr
        assert str(installed) in doc.stdout, "%s was not documented from the installed tarball" % name
        assert "[WARNING]" not in doc.stderr and "[ERROR]" not in doc.stderr, doc.stderr
