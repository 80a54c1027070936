"""Reading credentials from every header form, and refusing the malformed ones."""

from __future__ import annotations

import base64

import pytest

from patron.auth.credentials import Credentials, read_credentials

EXPECTED = Credentials("pk_1", "s3cret")


@pytest.mark.parametrize(
    "headers",
    [
        {"apikey": "pk_1.s3cret"},
        {"authorization": "Bearer pk_1.s3cret"},
        {"authorization": "bearer pk_1.s3cret"},
        {"authorization": "Basic " + base64.b64encode(b"pk_1:s3cret").decode()},
        {"x-api-key": "pk_1", "x-api-secret": "s3cret"},
    ],
)
def test_every_header_form_reads_the_same_credentials(headers: dict[str, str]) -> None:
    assert read_credentials(headers) == EXPECTED


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"apikey": "no-dot"},
        {"apikey": ".secret-only"},
        {"authorization": "Bearer "},
        {"authorization": "Digest abc"},
        {"authorization": "Basic !!!"},
        {"authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"x-api-key": "pk_1"},
    ],
)
def test_malformed_credentials_are_none(headers: dict[str, str]) -> None:
    assert read_credentials(headers) is None
