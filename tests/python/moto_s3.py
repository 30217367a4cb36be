"""moto's S3 server for the tests: on a free port of 127.0.0.1, reached through
``AWS_ENDPOINT_URL`` like any S3, with the buckets the tests use."""

from __future__ import annotations

import logging

import pytest
import requests
import s3fs
from moto.server import ThreadedMotoServer

BUCKETS = ("spotify-lake", "spotify-serving")


@pytest.fixture(scope="module")
def s3_environment():
    """moto's S3 on a free port of 127.0.0.1, and the AWS variables that point at it."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its state in the process, not the server: start each module empty.
    requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "LAKE_URI"):
            patch.delenv(name, raising=False)
        s3fs.S3FileSystem.clear_instance_cache()  # no client bound to another endpoint
        for bucket in BUCKETS:
            s3fs.S3FileSystem(skip_instance_cache=True).mkdir(bucket)
        try:
            yield patch
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


def s3() -> s3fs.S3FileSystem:
    return s3fs.S3FileSystem(skip_instance_cache=True)
