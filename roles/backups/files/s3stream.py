# webstack.aws backups: stream data between a pipe and S3, and report to CloudWatch.
#
#   python3 s3stream.py put --bucket B --key K --state FILE < data
#       Multipart upload of stdin, part by part: at most (concurrency + 1) parts are held in
#       memory and nothing is written to disk. The upload is NOT completed at end of input:
#       the caller completes it only if every stage of its pipeline succeeded, so a dump that
#       failed half-way never becomes an object.
#   python3 s3stream.py complete --state FILE     complete it; prints the object's size
#   python3 s3stream.py abort --state FILE        abort it (no-op without an upload)
#   python3 s3stream.py get --bucket B --key K    stream an object to stdout
#   python3 s3stream.py latest --bucket B --prefix P   the newest key under P (by name)
#   python3 s3stream.py metric --namespace N --dimension Job=x --metric BackupSuccess=1:Count
#
# Endpoints: --s3-endpoint-url / --cloudwatch-endpoint-url, or WEBSTACK_BACKUPS_S3_ENDPOINT_URL
# and WEBSTACK_BACKUPS_CLOUDWATCH_ENDPOINT_URL; empty means AWS. Credentials come from boto3's
# chain (instance role, or AWS_SHARED_CREDENTIALS_FILE): never from the command line.
# Run with the system python3 and its boto3 (Debian: python3-boto3); no shebang on purpose.

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

MIB = 1024 * 1024
# S3 allows 10,000 parts of 5 MiB .. 5 GiB. The part size doubles every 2,500 parts, so a
# stream of unknown length can reach 2,500 * (1 + 2 + 4 + 8) * part_size (600 GB at 16 MiB)
# while small dumps keep small parts (and little memory).
PARTS_PER_STEP = 2500
MAX_PARTS = 10000
MIN_PART_MIB = 5
READ_CHUNK = MIB


def client(service, args):
    endpoint = args.s3_endpoint_url if service == "s3" else args.cloudwatch_endpoint_url
    config = Config(retries={"max_attempts": 8, "mode": "standard"},
                    s3={"addressing_style": "path"} if endpoint else None)
    return boto3.client(service, endpoint_url=endpoint or None, region_name=args.region or None, config=config)


def write_state(path, state):
    # Atomically, so an abort after a crash reads a whole file.
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".s3stream-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(tmp, path)


def read_state(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def part_size(number, base):
    return base * 2 ** ((number - 1) // PARTS_PER_STEP)


def read_part(stream, size):
    """Read up to size bytes (less only at end of input)."""
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(min(remaining, READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def cmd_put(args):
    s3 = client("s3", args)
    extra = {"ContentType": args.content_type}
    if args.storage_class:
        extra["StorageClass"] = args.storage_class
    if args.sse:
        extra["ServerSideEncryption"] = args.sse
        if args.sse_kms_key_id:
            extra["SSEKMSKeyId"] = args.sse_kms_key_id
    upload = s3.create_multipart_upload(Bucket=args.bucket, Key=args.key, **extra)
    state = {"bucket": args.bucket, "key": args.key, "upload_id": upload["UploadId"], "parts": []}
    write_state(args.state, state)
    base = max(args.part_size_mb, MIN_PART_MIB) * MIB
    stream = sys.stdin.buffer
    parts = []
    in_flight = []
    total = 0

    def send(number, body):
        answer = s3.upload_part(Bucket=args.bucket, Key=args.key, UploadId=state["upload_id"],
                                PartNumber=number, Body=body)
        return {"PartNumber": number, "ETag": answer["ETag"]}

    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            number = 0
            while True:
                number += 1
                size = part_size(number, base)
                body = read_part(stream, size)
                if not body and number > 1:
                    break  # the previous part ended exactly at the end of input
                if number > MAX_PARTS:
                    raise RuntimeError("the stream needs more than %d parts" % MAX_PARTS)
                last = len(body) < size
                total += len(body)
                # Bounded memory: `concurrency` parts uploading, one being read.
                while len(in_flight) >= args.concurrency:
                    parts.append(in_flight.pop(0).result())
                in_flight.append(pool.submit(send, number, body))
                del body
                if last:
                    break
            for future in in_flight:
                parts.append(future.result())
    except BaseException:
        try:
            s3.abort_multipart_upload(Bucket=args.bucket, Key=args.key, UploadId=state["upload_id"])
            os.unlink(args.state)
        except Exception as exc:  # the original error matters more
            sys.stderr.write("s3stream: abort after error failed too: %s\n" % exc)
        raise
    state["parts"] = sorted(parts, key=lambda part: part["PartNumber"])
    state["bytes"] = total
    write_state(args.state, state)
    return 0


def cmd_complete(args):
    state = read_state(args.state)
    if not state or not state.get("parts"):
        sys.stderr.write("s3stream: nothing to complete in %s\n" % args.state)
        return 1
    s3 = client("s3", args)
    s3.complete_multipart_upload(Bucket=state["bucket"], Key=state["key"], UploadId=state["upload_id"],
                                 MultipartUpload={"Parts": state["parts"]})
    head = s3.head_object(Bucket=state["bucket"], Key=state["key"])
    os.unlink(args.state)
    print(head["ContentLength"])
    return 0


def cmd_abort(args):
    state = read_state(args.state)
    if not state:
        return 0
    s3 = client("s3", args)
    s3.abort_multipart_upload(Bucket=state["bucket"], Key=state["key"], UploadId=state["upload_id"])
    os.unlink(args.state)
    return 0


def cmd_get(args):
    s3 = client("s3", args)
    body = s3.get_object(Bucket=args.bucket, Key=args.key)["Body"]
    out = sys.stdout.buffer
    try:
        for chunk in body.iter_chunks(READ_CHUNK):
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        # The reader stopped early (e.g. the restore failed): not this program's error to mask.
        sys.stderr.write("s3stream: the reader closed the pipe before the end of the object\n")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def cmd_latest(args):
    s3 = client("s3", args)
    newest = None
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket, Prefix=args.prefix):
        for item in page.get("Contents", []):
            if newest is None or item["Key"] > newest:
                newest = item["Key"]
    if newest is None:
        sys.stderr.write("s3stream: no object under s3://%s/%s\n" % (args.bucket, args.prefix))
        return 1
    print(newest)
    return 0


def cmd_metric(args):
    dimensions = []
    for item in args.dimension:
        name, value = item.split("=", 1)
        dimensions.append({"Name": name, "Value": value})
    data = []
    for item in args.metric:
        name, rest = item.split("=", 1)
        value, unit = (rest.split(":", 1) + ["None"])[:2]
        data.append({"MetricName": name, "Value": float(value), "Unit": unit, "Dimensions": dimensions})
    client("cloudwatch", args).put_metric_data(Namespace=args.namespace, MetricData=data)
    return 0


def parse(argv):
    parser = argparse.ArgumentParser(prog="s3stream", description=__doc__)
    parser.add_argument("--s3-endpoint-url", default=os.environ.get("WEBSTACK_BACKUPS_S3_ENDPOINT_URL", ""))
    parser.add_argument("--cloudwatch-endpoint-url", default=os.environ.get("WEBSTACK_BACKUPS_CLOUDWATCH_ENDPOINT_URL", ""))
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", ""))
    sub = parser.add_subparsers(dest="command", required=True)

    put = sub.add_parser("put")
    put.add_argument("--bucket", required=True)
    put.add_argument("--key", required=True)
    put.add_argument("--state", required=True)
    put.add_argument("--part-size-mb", type=int, default=16)
    put.add_argument("--concurrency", type=int, default=2)
    put.add_argument("--content-type", default="application/octet-stream")
    put.add_argument("--storage-class", default="")
    put.add_argument("--sse", default="")
    put.add_argument("--sse-kms-key-id", default="")
    put.set_defaults(func=cmd_put)

    for name, func in (("complete", cmd_complete), ("abort", cmd_abort)):
        command = sub.add_parser(name)
        command.add_argument("--state", required=True)
        command.set_defaults(func=func)

    get = sub.add_parser("get")
    get.add_argument("--bucket", required=True)
    get.add_argument("--key", required=True)
    get.set_defaults(func=cmd_get)

    latest = sub.add_parser("latest")
    latest.add_argument("--bucket", required=True)
    latest.add_argument("--prefix", required=True)
    latest.set_defaults(func=cmd_latest)

    metric = sub.add_parser("metric")
    metric.add_argument("--namespace", required=True)
    metric.add_argument("--dimension", action="append", default=[], help="Name=Value (repeatable)")
    metric.add_argument("--metric", action="append", required=True, help="Name=Value[:Unit] (repeatable)")
    metric.set_defaults(func=cmd_metric)
    args = parser.parse_args(argv)
    if getattr(args, "concurrency", 1) < 1:
        parser.error("--concurrency must be at least 1")
    return args


def main(argv=None):
    args = parse(argv)
    try:
        return args.func(args)
    except Exception as exc:
        sys.stderr.write("s3stream %s: %s: %s\n" % (args.command, type(exc).__name__, exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
