#!/usr/bin/python3
"""Sends N requests at once to URL and prints, as JSON, how many answered 200 and the worker PIDs.

Usage: load.py URL N"""

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.status, json.loads(answer.read())["pid"]
    except Exception as error:  # noqa: BLE001 (report every failure as a result)
        return repr(error), None


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(fetch, [url] * count))
    print(json.dumps({
        "ok": sum(1 for status, _pid in results if status == 200),
        "errors": [status for status, _pid in results if status != 200],
        "workers": len({pid for _status, pid in results if pid}),
    }))


if __name__ == "__main__":
    main()
