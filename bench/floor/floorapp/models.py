from django.db import models


class Row(models.Model):
    name = models.CharField(max_length=100)
    amount_fen = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
