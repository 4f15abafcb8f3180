"""Send requests to the application until the New Relic agent of every given worker has logged
its start, or until the time is up.

Usage: wake_workers.py URL AGENT_LOG SECONDS PID [PID ...]

The Python agent starts its core in a process with that process's first transaction and logs
"(<pid>/MainThread) newrelic.core.agent INFO - New Relic Python Agent (<version>)". Requests
go out 8 at a time so that every uvicorn worker gets some. Prints the pids seen as JSON; exits
1 if a worker never logged its agent.
"""

import json
import re
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

AGENT_START = re.compile(r"\((\d+)/MainThread\) newrelic\.core\.agent INFO - New Relic Python Agent \(")


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()


def started_pids(log_path):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            return {int(match.group(1)) for match in AGENT_START.finditer(handle.read())}
    except FileNotFoundError:
        return set()


def main(argv):
    url, log_path, seconds = argv[1], argv[2], float(argv[3])
    wanted = {int(pid) for pid in argv[4:]}
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=8) as pool:
        while True:
            list(pool.map(fetch, [url] * 8))
            seen = started_pids(log_path) & wanted
            if seen == wanted or time.monotonic() > deadline:
                break
            time.sleep(1)
    print(json.dumps({"wanted": sorted(wanted), "started": sorted(seen)}))
    return 0 if seen == wanted else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
