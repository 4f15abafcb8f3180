"""Stand-in for ansible-test's pip bootstrap script (get-pip-<version>.py).

ansible-test downloads get-pip.py from a host this machine cannot reach, to put pip into the
empty virtualenvs it makes for sanity tests. This script does the same job with what is here:
the standard library's ensurepip gives a first pip, which then installs the pip version that
ansible-test asked for (its arguments, e.g. pip==24.2) from PyPI.
"""

import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
# get-pip.py's own flags; plain pip does not know them.
arguments = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)
