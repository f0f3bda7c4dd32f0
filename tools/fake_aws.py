"""A fake AWS account for what runs under moto: the region, credentials moto accepts
(they keep boto3 from looking for real ones), and, for code outside pytest (the
benchmarks, the cost model), a block that sets them, runs under `mock_aws` and puts
the environment back."""

import os
from contextlib import contextmanager

REGION = "eu-central-1"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@contextmanager
def fake_aws():
    from moto import mock_aws  # a development dependency: only where moto is wanted

    saved = {name: os.environ.get(name) for name in FAKE_AWS_ENV}
    os.environ.update(FAKE_AWS_ENV)
    try:
        with mock_aws():
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
