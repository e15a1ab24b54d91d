"""Reads of the control app."""

from __future__ import annotations

from django.db.models import QuerySet

from sims.control.models import FaultRule


def fault_rules() -> QuerySet[FaultRule]:
    return FaultRule.objects.order_by("system", "operation")
