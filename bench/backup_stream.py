# Benchmark of webstack.aws.backups: a MariaDB database of about --size-mb (default 1024 MB of
# dump) streamed to S3 by the role's own unit and scripts, next to the ceilings of the same dump.
#
#   source scripts/lib/env.sh && python bench/backup_stream.py [--size-mb 1024] [--compression gzip]
#
# What it does (everything it starts is its own, and is removed at the end):
#   1. a moto server on a free loopback port, with a bucket;
#   2. a systemd container of the project's host image (scripts/local-hosts.sh build) on the host
#      network (to reach moto on 127.0.0.1), with MariaDB listening on a socket only;
#   3. the role webstack.aws.backups applied to it by ansible-playbook (one job, "bench");
#   4. rows generated inside MariaDB (INSERT ... SELECT from the sequence engine: no data file);
#   5. ceilings: mysqldump > /dev/null, and mysqldump | <compressor> > /dev/null;
#   6. the backup: systemctl start <prefix>-backup-bench.service, while sampling every 0.25 s
#      - the disk used by the backup host: the container's writable layer (du of its overlay
#        upper directory) plus its tmpfs mounts (/tmp, /run, /run/lock); moto's own storage on the
#        host is not the backup host's and is not counted;
#      - the resident memory (RSS) of the pipeline: the backup script and its descendants
#        (mysqldump, the compressor, the S3 uploader), summed, and per program.
# It prints figures only: nothing here is a timed assertion.

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get("WEBSTACK_VENV", os.path.join(ROOT, ".venv"))
IMAGE = os.environ.get("WEBSTACK_HOST_IMAGE", "localhost/webstack-debian12:latest")
BUCKET = "webstack-bench-backups"
REGION = "ap-southeast-1"
PREFIX = "webstack"
JOB = "bench"
MIB = 1024 * 1024
# About this many bytes of mysqldump output per generated row (measured on this row shape).
BYTES_PER_ROW = 172

SERVER_CNF = """[mysqld]
skip-networking
innodb_buffer_pool_size = 512M
innodb_log_file_size = 256M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
"""

ROLE_PLAY = """---
- name: The backup role on the benchmark host
  hosts: all
  gather_facts: true
  tasks:
    - name: Apply webstack.aws.backups
      ansible.builtin.include_role:
        name: webstack.aws.backups
"""


def log(message):
    sys.stderr.write("[bench] %s\n" % message)
    sys.stderr.flush()


def run(command, check=True, **kwargs):
    return subprocess.run(command, check=check, **kwargs)


def podman_exec(name, script, **kwargs):
    return run(["podman", "exec", name, "bash", "-c", "set -euo pipefail\n" + script], **kwargs)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Moto:
    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([os.path.join(VENV, "bin", "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        for attempt in range(120):
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.5 if attempt < 119 else 0)
        raise RuntimeError("moto did not answer on %s" % self.url)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def s3_client(url):
    import boto3
    return boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def container_pid(name):
    return int(run(["podman", "inspect", "--format", "{{.State.Pid}}", name], capture_output=True, text=True).stdout)


def upper_dir(name):
    return run(["podman", "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", name],
               capture_output=True, text=True).stdout.strip()


def du_bytes(path):
    answer = run(["du", "-s", "-B1", "-x", path], capture_output=True, text=True, check=False)
    return int(answer.stdout.split()[0]) if answer.stdout else 0


def tmpfs_bytes(pid):
    total = 0
    for mount in ("tmp", "run", "run/lock"):
        try:
            stat = os.statvfs("/proc/%d/root/%s" % (pid, mount))
        except OSError:
            continue
        total += (stat.f_blocks - stat.f_bfree) * stat.f_frsize
    return total


def processes():
    """{pid: (ppid, rss_bytes, name, cmdline)} of every process of the machine."""
    table = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                stat = handle.read()
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry)] = (int(fields[1]), int(fields[21]) * page, name, cmdline)
    return table


class Sampler(threading.Thread):
    """Disk used by the backup host and RSS of the pipeline, every `interval` seconds."""

    def __init__(self, name, interval=0.25):
        super().__init__(daemon=True)
        self.upper = upper_dir(name)
        self.pid = container_pid(name)
        self.interval = interval
        self.stop_event = threading.Event()
        self.baseline = self.disk()
        self.peak_disk = self.baseline
        self.peak_rss = 0
        self.peak_by_program = {}
        self.samples = 0
        self.marker = "/usr/local/bin/%s-backup %s" % (PREFIX, JOB)

    def disk(self):
        return du_bytes(self.upper) + tmpfs_bytes(self.pid)

    def pipeline_rss(self):
        table = processes()
        roots = [pid for pid, entry in table.items() if entry[3].endswith(self.marker)]
        members = set(roots)
        changed = bool(roots)
        while changed:
            changed = False
            for pid, entry in table.items():
                if entry[0] in members and pid not in members:
                    members.add(pid)
                    changed = True
        by_program = {}
        for pid in members:
            rss, name, cmdline = table[pid][1:]
            if not rss:
                continue  # a process that is exiting (a zombie has no resident memory)
            program = "s3stream (python)" if "s3stream.py" in cmdline else name
            by_program[program] = by_program.get(program, 0) + rss
        return sum(by_program.values()), by_program

    def run(self):
        last_disk = 0.0
        while not self.stop_event.is_set():
            total, by_program = self.pipeline_rss()
            self.peak_rss = max(self.peak_rss, total)
            for program, rss in by_program.items():
                self.peak_by_program[program] = max(self.peak_by_program.get(program, 0), rss)
            now = time.monotonic()
            if now - last_disk >= 0.5:
                self.peak_disk = max(self.peak_disk, self.disk())
                last_disk = now
            self.samples += 1
            self.stop_event.wait(self.interval)

    def stop(self):
        self.stop_event.set()
        self.join()
        self.peak_disk = max(self.peak_disk, self.disk())


def timed(function):
    start = time.monotonic()
    function()
    return time.monotonic() - start


def mb(value):
    return value / MIB


def main():
    parser = argparse.ArgumentParser(description="Stream a MariaDB dump to S3 with webstack.aws.backups and measure it.")
    parser.add_argument("--size-mb", type=int, default=1024, help="approximate size of the dump in MiB (default 1024)")
    parser.add_argument("--compression", choices=["gzip", "zstd"], default="gzip", help="the job's compressor (default gzip, the role's default)")
    parser.add_argument("--part-size-mb", type=int, default=16, help="the role's backups_s3_part_size_mb (default 16)")
    parser.add_argument("--concurrency", type=int, default=2, help="the role's backups_s3_upload_concurrency (default 2)")
    args = parser.parse_args()
    os.environ.setdefault("CONTAINERS_CONF", os.path.join(ROOT, "scripts", "podman", "containers.conf"))
    os.environ["PATH"] = os.path.join(VENV, "bin") + os.pathsep + os.environ.get("PATH", "")
    if shutil.which("podman") is None:
        sys.exit("podman is missing: run scripts/setup.sh --hosts")
    if run(["podman", "image", "exists", IMAGE], check=False).returncode != 0:
        sys.exit("%s is missing: run scripts/local-hosts.sh build" % IMAGE)

    name = "webstack-bench-backup-%d" % os.getpid()
    moto = None
    workdir = tempfile.mkdtemp(prefix="webstack-bench-")
    started = time.monotonic()
    try:
        log("moto on loopback")
        moto = Moto()
        s3_client(moto.url).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})

        log("container %s (host network, systemd)" % name)
        run(["podman", "run", "-d", "--name", name, "--hostname", name, "--network", "host", "--systemd", "always",
             IMAGE, "/sbin/init"], stdout=subprocess.DEVNULL)
        for attempt in range(60):
            state = run(["podman", "exec", name, "systemctl", "is-system-running"], capture_output=True, text=True,
                        check=False).stdout.strip()
            if state in ("running", "degraded") or attempt == 59:
                break
            time.sleep(1)

        log("MariaDB (socket only) from Debian's packages")
        podman_exec(name, """
mkdir -p /etc/mysql/mariadb.conf.d
cat > /etc/mysql/mariadb.conf.d/60-bench.cnf <<'EOF'
%s
EOF
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
systemctl is-active mariadb >/dev/null
""" % SERVER_CNF)

        log("the role webstack.aws.backups (job %s, %s)" % (JOB, args.compression))
        variables = {
            "backups_designated_host": name,
            "backups_s3_endpoint_url": moto.url,
            "backups_region": REGION,
            "backups_s3_bucket": BUCKET,
            "backups_aws_access_key_id": "testing",
            "backups_aws_secret_access_key": "testing",
            "backups_compression": args.compression,
            "backups_s3_part_size_mb": args.part_size_mb,
            "backups_s3_upload_concurrency": args.concurrency,
            "backups_command_prefix": PREFIX,
            "backups_jobs": [{"name": JOB, "engine": "mysql", "database": "bench",
                              "host": "/run/mysqld/mysqld.sock", "user": "root"}],
        }
        with open(os.path.join(workdir, "vars.json"), "w", encoding="utf-8") as handle:
            json.dump(variables, handle)
        with open(os.path.join(workdir, "play.yml"), "w", encoding="utf-8") as handle:
            handle.write(ROLE_PLAY)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".ansible", "collections"),
                   ANSIBLE_ROLES_PATH=os.path.join(ROOT, "roles"))
        play = run([os.path.join(VENV, "bin", "ansible-playbook"), "-i", name + ",", "-c", "containers.podman.podman",
                    "-e", "@" + os.path.join(workdir, "vars.json"), os.path.join(workdir, "play.yml")],
                   env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if play.returncode != 0:
            sys.stderr.write(play.stdout[-6000:] + play.stderr[-2000:])
            raise RuntimeError("the role failed on the benchmark host")

        rows = max(1000, args.size_mb * MIB // BYTES_PER_ROW)
        log("generating %d rows inside MariaDB" % rows)
        chunk = 500000
        statements = ["CREATE DATABASE bench;", "USE bench;", """CREATE TABLE events (
  id BIGINT PRIMARY KEY, user_id INT NOT NULL, kind VARCHAR(16) NOT NULL, amount DECIMAL(12,2) NOT NULL,
  created DATETIME NOT NULL, ref CHAR(32) NOT NULL, note VARCHAR(255) NOT NULL) ENGINE=InnoDB;"""]
        for first in range(1, rows + 1, chunk):
            last = min(rows, first + chunk - 1)
            statements.append(
                "INSERT INTO events SELECT seq, seq %% 100003, ELT(1 + seq %% 4, 'view', 'cart', 'order', 'refund'),"
                " (seq %% 100000) / 100, '2024-01-01' + INTERVAL seq SECOND, MD5(seq),"
                " CONCAT('customer ', seq %% 5000, ' session ', HEX(seq * 2654435761 %% 4294967296), ' ',"
                " SUBSTRING(SHA2(seq, 256), 1, 40 + seq %% 24)) FROM seq_%d_to_%d;" % (first, last))
        sql = "\n".join(statements)
        generate_seconds = timed(lambda: run(["podman", "exec", "-i", name, "mysql"], input=sql, text=True))
        table_bytes = int(podman_exec(name, "stat -c %s /var/lib/mysql/bench/events.ibd", capture_output=True, text=True).stdout)

        dump = ("/usr/bin/mysqldump --defaults-extra-file=/etc/webstack-backups/jobs/%s/my.cnf --single-transaction"
                " --quick --routines --triggers --no-tablespaces --default-character-set=utf8mb4 bench" % JOB)
        compressor = {"gzip": "gzip -c -6", "zstd": "zstd -q -c -3 -T1"}[args.compression]
        log("ceiling: mysqldump > /dev/null")
        ceiling_seconds = timed(lambda: podman_exec(name, dump + " > /dev/null"))
        log("dump size: mysqldump | wc -c")
        dump_bytes = int(podman_exec(name, dump + " | wc -c", capture_output=True, text=True).stdout)
        log("ceiling: mysqldump | %s > /dev/null" % compressor)
        compress_seconds = timed(lambda: podman_exec(name, "%s | %s > /dev/null" % (dump, compressor)))

        log("backup: systemctl start %s-backup-%s.service (sampling disk and memory)" % (PREFIX, JOB))
        sampler = Sampler(name)
        sampler.start()
        backup_seconds = timed(lambda: run(["podman", "exec", name, "systemctl", "start", "%s-backup-%s.service" % (PREFIX, JOB)]))
        sampler.stop()
        journal = run(["podman", "exec", name, "journalctl", "-u", "%s-backup-%s.service" % (PREFIX, JOB), "-o", "cat",
                       "--no-pager"], capture_output=True, text=True).stdout.strip().splitlines()
        objects = s3_client(moto.url).list_objects_v2(Bucket=BUCKET).get("Contents", [])
        if len(objects) != 1:
            raise RuntimeError("expected one object in the bucket, found %d" % len(objects))
        object_bytes = objects[0]["Size"]
        growth = sampler.peak_disk - sampler.baseline

        dump_mb = mb(dump_bytes)
        programs = ", ".join("%s %.1f MB" % (program, mb(rss)) for program, rss in sorted(sampler.peak_by_program.items()))
        lines = [
            "backup_stream benchmark: MariaDB 10.11 -> %s -> S3 multipart upload (moto on loopback), %d MiB parts x %d"
            % (args.compression, args.part_size_mb, args.concurrency),
            "  rows generated                         %d in %.1f s (InnoDB file %.0f MB)" % (rows, generate_seconds, mb(table_bytes)),
            "  dump size                              %.1f MB (%d bytes of mysqldump output)" % (dump_mb, dump_bytes),
            "  object size                            %.1f MB (%s, ratio %.2f) %s"
            % (mb(object_bytes), args.compression, dump_bytes / object_bytes, objects[0]["Key"]),
            "  ceiling mysqldump > /dev/null          %6.1f s %7.1f MB/s" % (ceiling_seconds, dump_mb / ceiling_seconds),
            "  ceiling mysqldump | %-18s %6.1f s %7.1f MB/s"
            % (compressor.split(" -c")[0] + " > null", compress_seconds, dump_mb / compress_seconds),
            "  backup unit (dump | %s | S3)      %6.1f s %7.1f MB/s of dump (%.1f MB/s into S3)"
            % (args.compression, backup_seconds, dump_mb / backup_seconds, mb(object_bytes) / backup_seconds),
            "  peak disk growth of the backup host    %.2f MB = %.3f%% of the dump (limit 10%%; %d samples)"
            % (mb(growth), 100.0 * growth / dump_bytes, sampler.samples),
            "  peak memory of the pipeline (RSS sum)  %.1f MB (%s)" % (mb(sampler.peak_rss), programs),
            "  journal: %s" % " / ".join(line for line in journal if "backup OK" in line),
            "  total benchmark time %.0f s" % (time.monotonic() - started),
        ]
        print("\n".join(lines))
    finally:
        log("cleaning up")
        run(["podman", "rm", "-f", "-t", "5", name], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if moto is not None:
            moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
