#!/usr/bin/python3
"""Stand-in for uvicorn: answers every GET with JSON of the path and the request headers.

?pad=N adds N characters to the answer (a text response big enough for gzip)."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        pad = int(parse_qs(url.query).get("pad", ["0"])[0])
        body = json.dumps({
            "app": "echo",
            "path": url.path,
            "headers": {key.lower(): value for key, value in self.headers.items()},
            "pad": "x" * pad,
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
