"""One-row insert, one-row read, no-op."""

import random

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from floorapp.models import Row


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    row = Row.objects.create(name="floor", amount_fen=random.randrange(1, 10**8))
    return JsonResponse({"id": row.pk})


@require_GET
def read(request: HttpRequest) -> JsonResponse:
    row = Row.objects.get(pk=random.randint(1, settings.FLOOR_SEED_ROWS))
    return JsonResponse({"id": row.pk, "name": row.name, "amount_fen": row.amount_fen})


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
