# What the local AWS of the backups scenario holds, read from the controller with boto3 (not with
# the role's own helper): objects under a prefix, multipart uploads left open, and the
# datapoints of a CloudWatch metric ([samples, minimum, maximum]). Prints JSON.
#   python aws_probe.py --endpoint URL --region R objects --bucket B --prefix P
#   python aws_probe.py --endpoint URL --region R uploads --bucket B
#   python aws_probe.py --endpoint URL --region R metric --namespace N --name M --dimension Job=x ...

from __future__ import annotations

import argparse
import datetime
import json
import sys

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    objects = sub.add_parser("objects")
    objects.add_argument("--bucket", required=True)
    objects.add_argument("--prefix", default="")
    uploads = sub.add_parser("uploads")
    uploads.add_argument("--bucket", required=True)
    metric = sub.add_parser("metric")
    metric.add_argument("--namespace", required=True)
    metric.add_argument("--name", required=True)
    metric.add_argument("--dimension", action="append", default=[])
    args = parser.parse_args()

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=args.region)
    if args.command == "objects":
        s3 = session.client("s3", endpoint_url=args.endpoint)
        found = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket, Prefix=args.prefix):
            found += [{"key": item["Key"], "size": item["Size"]} for item in page.get("Contents", [])]
        result = found
    elif args.command == "uploads":
        s3 = session.client("s3", endpoint_url=args.endpoint)
        answer = s3.list_multipart_uploads(Bucket=args.bucket)
        result = [{"key": item["Key"], "upload_id": item["UploadId"]} for item in answer.get("Uploads", [])]
    else:
        cloudwatch = session.client("cloudwatch", endpoint_url=args.endpoint)
        now = datetime.datetime.now(datetime.timezone.utc)
        dimensions = [dict(zip(("Name", "Value"), item.split("=", 1))) for item in args.dimension]
        answer = cloudwatch.get_metric_statistics(
            Namespace=args.namespace, MetricName=args.name, Dimensions=dimensions,
            StartTime=now - datetime.timedelta(hours=2), EndTime=now + datetime.timedelta(minutes=5),
            Period=60, Statistics=["Minimum", "Maximum", "SampleCount"])
        points = answer["Datapoints"]
        # [samples, minimum, maximum] over the last two hours.
        result = [
            sum(point["SampleCount"] for point in points),
            min((point["Minimum"] for point in points), default=None),
            max((point["Maximum"] for point in points), default=None),
        ]
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
