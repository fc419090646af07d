"""Every feature's routes, imported in the order the OpenAPI document lists them."""

from __future__ import annotations

from chalicelib.http.accounts import accounts
from chalicelib.http.awards import awards
from chalicelib.http.conferences import conferences
from chalicelib.http.declaration import Feature, Operation, publish
from chalicelib.http.portal import portal
from chalicelib.http.register import register
from chalicelib.http.reporting import reporting
from chalicelib.http.service import service
from chalicelib.http.trends import trends
from chalicelib.http.units import units

FEATURES: tuple[Feature, ...] = (service, accounts, units, reporting, trends, conferences, awards, register, portal)
publish(FEATURES)


def operations() -> list[Operation]:
    return [op for feature in FEATURES for op in feature.operations]
