"""The test application of molecule/uvicorn_app (and molecule/newrelic): the FastAPI guide's
/api/products and /health, and /api/echo, which tells what reached the application through
nginx (client address, scheme, X-Forwarded-* headers), which process answered and whether the
New Relic agent runs in it."""

import os
import pwd
import sys

from fastapi import FastAPI, Request

app = FastAPI(title="IllustraDesign test backend")

PRODUCTS = [
    {"id": 1, "name": "Poster A2", "price": 24.0},
    {"id": 2, "name": "Sticker pack", "price": 6.5},
]


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/products")
def products():
    return {"products": PRODUCTS}


@app.get("/api/echo")
def echo(request: Request):
    return {
        "client": request.client.host if request.client else None,
        "scheme": request.url.scheme,
        "host": request.headers.get("host"),
        "x_forwarded_for": request.headers.get("x-forwarded-for"),
        "x_forwarded_proto": request.headers.get("x-forwarded-proto"),
        "x_real_ip": request.headers.get("x-real-ip"),
        "pid": os.getpid(),
        "user": pwd.getpwuid(os.getuid()).pw_name,
        # A non-secret variable of the environment file, to check its quoting end to end.
        "label": os.environ.get("APP_LABEL"),
        # Set when newrelic-admin run-program initialised the agent in this worker: the
        # application name it read from NEW_RELIC_CONFIG_FILE.
        "newrelic_app_name": newrelic_app_name(),
    }


def newrelic_app_name():
    # The agent's bootstrap (sitecustomize) imports newrelic.config and initialises the agent
    # from the configuration file before the application is imported.
    if "newrelic.config" not in sys.modules:
        return None
    import newrelic.agent  # pylint: disable=import-outside-toplevel

    return newrelic.agent.global_settings().app_name
