"""Conferences: the admin API's domain (`service`), the compile job (`compile`, imported
only by the schedule and the CLI), aggregation into a SummaryDocument (`aggregate`)."""

from .openapi import openapi_models, openapi_paths

__all__ = ["openapi_models", "openapi_paths"]
