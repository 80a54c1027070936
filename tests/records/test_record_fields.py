"""Declaring a resource's fields, and the page envelope its lists answer with."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from patron.models import ChallengeDefinition, RecordDefinition
from patron.records.fields import FieldKind, Order, RecordField, RecordFields, SortKey
from patron.records.page import RecordPage, projected, record_page
from patron.records.query import ListQuery
from tests.records.list_fields import FIELDS


@pytest.mark.parametrize(
    ("column", "kind", "said"),
    [
        (ChallengeDefinition.name, FieldKind.NUMBER, "number fields read integer or NUMERIC"),
        (ChallengeDefinition.required_checkpoints, FieldKind.TEXT, "text fields cannot read a Integer()"),
        (ChallengeDefinition.name, FieldKind.INSTANT, "instant fields cannot read a String"),
        (ChallengeDefinition.name, FieldKind.ID, "id fields cannot read a String"),
        (ChallengeDefinition.name, FieldKind.BOOLEAN, "boolean fields cannot read a String"),
        (ChallengeDefinition.rewards, FieldKind.TEXT, "text fields cannot read a JSON"),
    ],
)
def test_a_field_whose_column_cannot_hold_its_kind_is_refused_at_declaration(
    column: object, kind: FieldKind, said: str
) -> None:
    with pytest.raises(ValueError) as raised:
        RecordField("oops", column, kind)  # type: ignore[arg-type]
    assert str(raised.value).startswith(f"oops: {said}")


def test_choices_belong_to_a_choice_field_alone() -> None:
    with pytest.raises(ValueError, match="choices"):
        RecordField("status", RecordDefinition.status, FieldKind.CHOICE)
    with pytest.raises(ValueError, match="choices"):
        RecordField("name", RecordDefinition.name, FieldKind.TEXT, frozenset({"a"}))


def test_a_resource_declares_each_name_once_and_sorts_by_its_own_fields() -> None:
    name = RecordField("name", RecordDefinition.name, FieldKind.TEXT)
    with pytest.raises(ValueError, match="share a name"):
        RecordFields((name, name), tie_breaker=RecordDefinition.id)
    with pytest.raises(ValueError, match="unknown fields: createdAt"):
        RecordFields(
            (name,), tie_breaker=RecordDefinition.id, default_sort=(SortKey("createdAt", Order.DESC),)
        )


def test_the_fields_are_an_immutable_mapping_by_name() -> None:
    assert FIELDS["name"].column is ChallengeDefinition.name
    assert "colour" not in FIELDS and len(FIELDS) == 10
    with pytest.raises(TypeError):
        FIELDS["colour"] = FIELDS["name"]  # type: ignore[index]
    assert FIELDS.returnable == frozenset(FIELDS) | {"rewards"}
    assert FIELDS["description"].nullable and not FIELDS["name"].nullable
    assert FIELDS["assignOnAmount"].grid.places == 4 and FIELDS["requiredCheckpoints"].grid.places == 0


RECORD = {"id": "r1", "name": "Ten visits", "description": None, "rewards": []}


def test_a_record_keeps_its_id_and_the_fields_asked_for_in_its_own_order() -> None:
    assert projected(RECORD, ListQuery()) == RECORD
    assert projected(RECORD, ListQuery(fields=("rewards", "name"))) == {
        "id": "r1",
        "name": "Ten visits",
        "rewards": [],
    }
    assert projected(RECORD, ListQuery(fields=())) == {"id": "r1"}


def test_the_page_carries_the_total_count_only_when_asked() -> None:
    page = record_page([RECORD], ListQuery(offset=20, limit=10, fields=("name",)), None)
    assert page == {"data": [{"id": "r1", "name": "Ten visits"}], "paging": {"offset": 20, "limit": 10}}
    counted = record_page([], ListQuery(fetch_total_count=True), 0)
    assert counted == {"data": [], "paging": {"offset": 0, "limit": 20, "totalCount": 0}}
    assert "totalCount" not in record_page([], ListQuery(), 5)["paging"]
    with pytest.raises(ValueError, match="count the records first"):
        record_page([], ListQuery(fetch_total_count=True), None)


def test_a_route_may_declare_the_page_as_its_response() -> None:
    page = TypeAdapter(RecordPage)
    shown = page.dump_python(record_page([RECORD], ListQuery(fields=("description",)), None))
    assert shown == {"data": [{"id": "r1", "description": None}], "paging": {"offset": 0, "limit": 20}}
    assert page.json_schema()["$defs"]["Paging"]["required"] == ["offset", "limit"]
