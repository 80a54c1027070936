"""The import format's documentation and its schema agree: every example in docs/IMPORTS.md
is valid against the XSD shipped in the package, and the XSD refuses what the docs say it must."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

DOCS = Path(__file__).resolve().parents[2] / "docs" / "IMPORTS.md"
XML_BLOCK = re.compile(r"```xml\n(.*?)```", re.DOTALL)


def schema() -> etree.XMLSchema:
    text = resources.files("patron.imports").joinpath("patron-import.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def examples() -> list[str]:
    return XML_BLOCK.findall(DOCS.read_text(encoding="utf-8"))


def test_the_docs_show_an_example_of_each_kind() -> None:
    roots = {etree.fromstring(example.encode()).tag for example in examples()}
    assert roots == {
        "{urn:patron:import:1}contacts",
        "{urn:patron:import:1}receipts",
        "{urn:patron:import:1}redemptions",
    }


@pytest.mark.parametrize("example", examples(), ids=lambda text: text.split("<", 3)[2].split()[0])
def test_every_documented_example_is_valid_against_the_schema(example: str) -> None:
    xsd = schema()
    document = etree.fromstring(example.encode())
    assert xsd.validate(document), xsd.error_log


def test_the_schema_refuses_a_receipt_without_lines() -> None:
    receipt = next(example for example in examples() if "<receipts" in example)
    without_lines = re.sub(r"<items>.*</items>", "<items></items>", receipt, flags=re.DOTALL)
    assert not schema().validate(etree.fromstring(without_lines.encode()))


def test_the_schema_refuses_an_unknown_redemption_channel() -> None:
    redemption = next(example for example in examples() if "<redemptions" in example)
    assert not schema().validate(etree.fromstring(redemption.replace(">POS<", ">SHOP<").encode()))
