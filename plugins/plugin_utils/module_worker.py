# -*- coding: utf-8 -*-
# Copyright: webstack.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A pre-warmed Python process on the controller that runs this collection's modules.

Most of a no-op AWS module run is not AWS: it is starting Python, importing boto3 and parsing
botocore's service models (about 0.9 s per module against the local AWS's few milliseconds).
Building the AnsiballZ payload costs as much again on the controller (scanning and compiling
every module_utils file the module imports).

For tasks that run on the controller itself (connection local, no become), the action plugin
webstack.aws.module_worker sends the module's name and its arguments, encoded by Ansible as for
any module (check mode, diff, no_log and the other internal arguments included), to one worker
per playbook run and Python interpreter. The worker has Ansible's collection loader installed
with the controller's collection paths, boto3 and the collection's module_utils imported, and
the service models parsed, once. For each module it forks a child that runs the module the way
the AnsiballZ wrapper does (ansible's own module runner), with the task's environment and
working directory, and sends back its exit code, stdout and stderr, which Ansible then reads as
it reads any module result. A fork keeps every module run isolated from the others, as
separate processes are.

The worker listens on a Unix socket in a directory only its user can enter, accepts only that
user's connections, and exits when the ansible-playbook process that started it has gone, or
after it has been idle for a while.

This file is both the client (imported by the action plugin) and the worker (run as a script by
the task's Python interpreter, which must have the controller's ansible-core); at the top level
it imports the standard library only.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import hashlib
import importlib
import json
import os
import pkgutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

# The AWS services this collection's modules use; their models are parsed once per worker.
PRELOADED_SERVICES = (
    "acm", "autoscaling", "cloudfront", "cloudwatch", "codedeploy", "ec2", "elasticache", "elbv2",
    "iam", "logs", "rds", "route53", "s3", "secretsmanager", "ses", "sesv2", "sns", "ssm", "sts",
    "wafv2",
)
IDLE_TIMEOUT_SECONDS = 600
START_TIMEOUT_SECONDS = 60
_LENGTH = struct.Struct("!Q")


class WorkerUnavailable(Exception):
    """The worker could not be reached before the module started: running it the usual way is safe."""


# ---------------------------------------------------------------------------------------------
# Framing shared by both ends: a length-prefixed JSON header, then optional raw bytes.

def _send(conn, header, payload=b""):
    data = json.dumps(header).encode()
    conn.sendall(_LENGTH.pack(len(data)) + data + _LENGTH.pack(len(payload)) + payload)


def _recv_exact(conn, size):
    chunks = []
    while size:
        chunk = conn.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the connection closed early")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _recv(conn):
    header = json.loads(_recv_exact(conn, _LENGTH.unpack(_recv_exact(conn, _LENGTH.size))[0]))
    payload = _recv_exact(conn, _LENGTH.unpack(_recv_exact(conn, _LENGTH.size))[0])
    return header, payload


# ---------------------------------------------------------------------------------------------
# Client side (the action plugin, inside an Ansible task process).

def private_directory():
    """The directory of this user's worker sockets: created 0700, refused if anyone else can enter it."""
    path = os.path.join(tempfile.gettempdir(), "webstack-aws-worker-%d" % os.getuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not os.path.isdir(path) or os.path.islink(path) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise WorkerUnavailable("%s is not a private directory of this user" % path)
    return path


def socket_path(interpreter, owner_pid):
    digest = hashlib.sha256("\0".join(interpreter).encode()).hexdigest()[:12]
    return os.path.join(private_directory(), "%d-%s.sock" % (owner_pid, digest))


def _connect(path):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        raise
    return conn


def _start(interpreter, path, worker_arguments):
    """Start the worker (one at a time per socket path) and wait until it accepts connections."""
    with open(path + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _connect(path)  # another task started it meanwhile
        except OSError:
            pass
        with open(path + ".log", "ab") as log:
            # It outlives this task.
            process = subprocess.Popen(  # pylint: disable=consider-using-with
                list(interpreter) + [os.path.abspath(__file__), path, json.dumps(worker_arguments)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
                cwd="/",
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise WorkerUnavailable("the worker exited with %s (see %s.log)" % (process.returncode, path))
            try:
                return _connect(path)
            except OSError:
                time.sleep(0.05)
        process.kill()
        raise WorkerUnavailable("the worker did not answer within %d s" % START_TIMEOUT_SECONDS)


def _sweep(directory):
    """Remove what workers of ended playbook runs left behind (logs of failed starts, markers)."""
    for name in os.listdir(directory):
        owner = name.split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _open(interpreter, worker_arguments):
    """A connection to the worker of this playbook run and interpreter, started if needed."""
    try:
        path = socket_path(interpreter, worker_arguments["owner_pid"])
        if os.path.exists(path + ".unavailable"):
            raise WorkerUnavailable("it could not start earlier in this run; see %s.log" % path)
        try:
            return _connect(path)
        except OSError:
            pass
        _sweep(os.path.dirname(path))
        try:
            return _start(interpreter, path, worker_arguments)
        except WorkerUnavailable:
            with open(path + ".unavailable", "w", encoding="utf-8"):
                pass
            raise
    except (OSError, ImportError) as error:
        raise WorkerUnavailable(str(error)) from error


def ensure(interpreter, worker_arguments):
    """Start the worker if it is not running yet; raises WorkerUnavailable if it cannot."""
    _open(interpreter, worker_arguments).close()


def run(interpreter, request, environment, cwd, worker_arguments):
    """Run one module in the worker; returns (rc, stdout bytes, stderr bytes).

    request: JSON bytes {"module_fqn", "profile", "params"} (params as Ansible encodes them for
    the module). worker_arguments: {"owner_pid", "ansible_version", "collection_paths",
    "preload_collections"}, used when the worker has to be started.
    Raises WorkerUnavailable when the module did not start.
    """
    conn = _open(interpreter, worker_arguments)
    child = None
    try:
        try:
            _send(conn, {"environment": environment, "cwd": cwd}, request)
            child = _recv(conn)[0]["pid"]
        except (OSError, EOFError, ValueError, KeyError) as error:
            raise WorkerUnavailable("the worker did not take the module: %s" % error) from error
        header, output = _recv(conn)
        return header["rc"], output[:header["stdout_length"]], output[header["stdout_length"]:]
    except BaseException:
        # Interrupted (task timeout, Ctrl-C) or the worker went away: the module stops too.
        if child:
            try:
                os.kill(child, 15)
            except OSError:
                pass
        raise
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# Worker side (this file run as a script by the task's interpreter).

def _share_botocore_models():
    """Import boto3 and parse the service models once; every boto3 session created later in
    this process or its children reads them from memory.

    botocore caches what its Loader reads per Loader, and a new boto3 Session (one per client
    in amazon.aws) makes a new Loader. Loaders created here share one cache, which is what one
    Session already does for all of its clients; the models are never modified once loaded.
    """
    try:
        import boto3  # pylint: disable=import-outside-toplevel
        from botocore import loaders  # pylint: disable=import-outside-toplevel
    except ImportError:
        return
    shared_cache = {}
    original_init = loaders.Loader.__init__
    preload_search_paths = []

    def init_with_shared_cache(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if not preload_search_paths:
            preload_search_paths.extend(self.search_paths)
        # A task that points AWS_DATA_PATH elsewhere keeps a cache of its own.
        if self.search_paths == preload_search_paths:
            self._cache = shared_cache  # pylint: disable=protected-access

    loaders.Loader.__init__ = init_with_shared_cache
    try:
        session = boto3.session.Session()
        for service in PRELOADED_SERVICES:
            session.client(service, region_name="us-east-1", aws_access_key_id="preload",
                           aws_secret_access_key="preload")
    except Exception:  # pylint: disable=broad-except
        # A profile or service this machine's configuration or botocore lacks: models load per module.
        pass


def _prepare_ansible(arguments):
    """Install Ansible's collection loader with the controller's paths and import what every
    module of the preloaded collections imports: ansible's module runner and basic, and the
    collections' module_utils (amazon.aws's come with them)."""

    from ansible.module_utils.ansible_release import __version__  # pylint: disable=import-outside-toplevel

    if __version__ != arguments["ansible_version"]:
        sys.exit("this interpreter has ansible-core %s, the controller %s" % (__version__, arguments["ansible_version"]))
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder  # pylint: disable=import-outside-toplevel

    _AnsibleCollectionFinder(paths=arguments["collection_paths"], scan_sys_paths=True)._install()  # pylint: disable=protected-access
    importlib.import_module("ansible.module_utils._internal._ansiballz._loader")
    for collection in arguments["preload_collections"]:
        package = importlib.import_module("ansible_collections.%s.plugins.module_utils" % collection)
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)


def _run_child(conn, request, payload):
    """In the forked child: run the module as the AnsiballZ wrapper would, with the task's environment."""

    from ansible.module_utils._internal._ansiballz import _loader  # pylint: disable=import-outside-toplevel

    _send(conn, {"pid": os.getpid()})
    module = json.loads(payload)
    os.environ.clear()
    os.environ.update(request["environment"])
    tempfile.tempdir = None  # the task's TMPDIR, not the worker's
    os.chdir(request["cwd"])
    stdout = tempfile.TemporaryFile()
    stderr = tempfile.TemporaryFile()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(stdout.fileno(), 1)
    os.dup2(stderr.fileno(), 2)
    sys.argv = [""]
    rc = 0
    try:
        _loader.run_module(json_params=module["params"].encode(), profile=module["profile"],
                           module_fqn=module["module_fqn"], modlib_path="", extensions={})
    except SystemExit as exit_request:
        code = exit_request.code
        if code is None:
            rc = 0
        elif isinstance(code, int):
            rc = code
        else:
            print(code, file=sys.stderr)
            rc = 1
    # Reported like an uncaught exception.
    except BaseException:  # pylint: disable=broad-except
        traceback.print_exc()
        rc = 1
    # What a module registered to run at exit (AnsibleModule's temporary directory) runs now:
    # the child ends with os._exit, which skips it.
    atexit._run_exitfuncs()  # pylint: disable=protected-access
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # pylint: disable=broad-except
            pass
    outputs = []
    for stream in (stdout, stderr):
        stream.seek(0)
        outputs.append(stream.read())
    _send(conn, {"rc": rc, "stdout_length": len(outputs[0])}, outputs[0] + outputs[1])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.EPERM
    return True


def _reap():
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(path, arguments):
    owner_pid = arguments["owner_pid"]
    _prepare_ansible(arguments)
    _share_botocore_models()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    old_umask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old_umask)
    listener.listen(64)
    listener.settimeout(1.0)
    last_request = time.monotonic()
    try:
        while _alive(owner_pid) and time.monotonic() - last_request < IDLE_TIMEOUT_SECONDS:
            _reap()
            try:
                conn, _address = listener.accept()
            except socket.timeout:
                continue
            last_request = time.monotonic()
            conn.settimeout(None)
            try:
                credentials = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
                if struct.unpack("3i", credentials)[1] != os.getuid():
                    continue
                request, payload = _recv(conn)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    try:
                        _run_child(conn, request, payload)
                    finally:
                        os._exit(0)  # pylint: disable=protected-access
            except (OSError, EOFError, ValueError, KeyError):
                pass
            finally:
                conn.close()
    finally:
        listener.close()
        for leftover in (path, path + ".lock", path + ".unavailable"):
            try:
                os.unlink(leftover)
            except OSError:
                pass
        if os.path.exists(path + ".log") and not os.path.getsize(path + ".log"):
            os.unlink(path + ".log")


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]))
