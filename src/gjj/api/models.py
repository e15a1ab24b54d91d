"""Idempotency keys of the JSON API: the first answer to a write is kept and replayed."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("Idempotency-Key", max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    # Written with the work in the key's one transaction (gjj.api.idempotency): null only inside it,
    # never once committed (but in rows kept from before answers were committed with their keys).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="api_idempotency_key_per_member")
        ]
