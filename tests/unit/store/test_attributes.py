"""Our DynamoDB attribute conversion gives what boto3's TypeSerializer/TypeDeserializer give
(chalicelib/store/attributes.py: the API's cold start does without the boto3 package)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from chalicelib.store.attributes import deserialize, serialize

VALUES = [
    None, True, False, 0, 1, -7, 15000, 10**37, Decimal("2.5"), Decimal("-0.001"), Decimal("1E+10"), "",
    "Công an tỉnh Nghệ An", b"\x00\xff", bytearray(b"ab"), {1, 2, 3}, {Decimal("1.5")}, {"a", "b"}, {b"x", b"y"},
    set(), {True}, [], [1, "a", None, [2, {"k": True}]], (1, 2), {},
    {"values": {"checkpoints": 12, "fines_vnd": 5_000_000}, "comments": {"x": "ghi chú"}, "list": ["a", 1, False]},
]


def _ids(values: list) -> list[str]:
    """Stable across xdist workers (a set's or an object's repr is not)."""
    return [f"{i}-{type(v).__name__}" for i, v in enumerate(values)]


REFUSED = [1.5, float("nan"), Decimal("Infinity"), Decimal("NaN"), 10**40, Decimal("1.0000000000000000000000000000000000000001"),
           object(), {1, "a"}, {1.5}, [1.5], {"k": 0.5}, Decimal("1E+200")]


@pytest.mark.parametrize("value", VALUES, ids=_ids(VALUES))
def test_serialize_as_boto3_does(value):
    assert serialize(value) == TypeSerializer().serialize(value)


@pytest.mark.parametrize("value", REFUSED, ids=_ids(REFUSED))
def test_refuses_what_boto3_refuses(value):
    with pytest.raises(Exception) as theirs:
        TypeSerializer().serialize(value)
    with pytest.raises(type(theirs.value)):
        serialize(value)


@pytest.mark.parametrize("value", VALUES, ids=_ids(VALUES))
def test_deserialize_as_boto3_does(value):
    wire = TypeSerializer().serialize(value)
    theirs = TypeDeserializer().deserialize(wire)
    ours = deserialize(wire)
    assert ours == theirs
    assert type(ours) is (bytes if isinstance(theirs, Binary) else type(theirs))  # binary: plain bytes


def test_unknown_or_empty_attribute_is_refused():
    for wire in ({}, {"X": 1}):
        with pytest.raises(TypeError):
            deserialize(wire)
