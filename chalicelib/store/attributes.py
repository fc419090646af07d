"""DynamoDB attribute values to Python values and back, converted exactly as boto3's
`TypeSerializer` and `TypeDeserializer` convert them (binary values come back as bytes).

Not `boto3.dynamodb.types` itself: importing it imports the whole boto3 package (its session,
s3transfer, ...), about 50 ms of every API cold start, whose client is botocore's alone.
tests/unit/store/test_attributes.py holds the two to the same results.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 digits, exponent -128..126; anything else raises instead of rounding.
DYNAMODB_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | Decimal) -> str:
    number = str(DYNAMODB_CONTEXT.create_decimal(value))
    if number in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal))  # a bool too, as in boto3 (serialize checks bools first)


def serialize(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB attribute value (`{"S": "..."}`, `{"N": "1"}`, ...)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": value}
    if isinstance(value, Set):
        # the first kind every member is (an empty set is a number set, as boto3 has it)
        if all(_is_number(v) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, (bytes, bytearray)) for v in value):
            return {"BS": list(value)}
    elif isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    elif isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as Python: numbers as Decimal, sets as sets, binary as bytes."""
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, data = next(iter(value.items()))
    if kind == "S" or kind == "BOOL":
        return data
    if kind == "N":
        return DYNAMODB_CONTEXT.create_decimal(data)
    if kind == "M":
        return {k: deserialize(v) for k, v in data.items()}
    if kind == "L":
        return [deserialize(v) for v in data]
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(data)
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {DYNAMODB_CONTEXT.create_decimal(v) for v in data}
    if kind == "BS":
        return {bytes(v) for v in data}
    raise TypeError(f"Dynamodb type {kind} is not supported")
