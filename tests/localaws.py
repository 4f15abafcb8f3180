"""Talk to the local AWS (moto in server mode): reset it, and read its own request record to
count API calls by operation, telling reads from writes."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass

READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "Lookup", "Check", "BatchGet")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request")


@dataclass(frozen=True)
class ApiCall:
    service: str
    operation: str

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(READ_PREFIXES) and not self.operation.startswith(("GET ", "HEAD "))


def parse_call(entry: dict) -> ApiCall:
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    match = CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    service = match.group(1) if match else "unknown"
    target = headers.get("x-amz-target")
    if target:  # JSON protocols: "AmazonSSM.PutParameter"
        return ApiCall(service, target.rsplit(".", 1)[-1])
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    url = urllib.parse.urlparse(entry.get("url", ""))
    for source in (body, url.query):
        action = urllib.parse.parse_qs(source).get("Action")
        if action:  # query protocols: EC2, IAM, RDS, ELBv2, autoscaling ...
            return ApiCall(service, action[0])
    # REST protocols (S3, Route 53, CloudFront ...): method and path stand for the operation.
    return ApiCall(service, "%s %s" % (entry.get("method", "?"), url.path or "/"))


class LocalAws:
    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def _post(self, path: str) -> bytes:
        request = urllib.request.Request(self.url + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read()

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/moto-api/", timeout=2):
                return True
        except OSError:
            return False

    def reset(self) -> None:
        self._post("/moto-api/reset")

    def start_recording(self) -> None:
        """Forget earlier requests and record every request from now on."""
        self._post("/moto-api/recorder/reset-recording")
        self._post("/moto-api/recorder/start-recording")

    def calls(self) -> list[ApiCall]:
        with urllib.request.urlopen(self.url + "/moto-api/recorder/download-recording", timeout=10) as answer:
            text = answer.read().decode("utf-8")
        return [parse_call(json.loads(line)) for line in text.splitlines() if line.strip()]

    @staticmethod
    def summary(calls: list[ApiCall]) -> Counter:
        return Counter("%s:%s" % (c.service, c.operation) for c in calls)
