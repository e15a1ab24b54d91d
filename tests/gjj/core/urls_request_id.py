"""The hall's URLs plus a view that logs and enqueues a task, for the request id tests."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.urls import path
from huey.contrib.djhuey import task

from gjj.core.request_id import current_request_id
from gjj.urls import urlpatterns as hall_urlpatterns

logger = logging.getLogger("tests.gjj.core.request_id")

# What each run of the task saw: (label, request id).
TASK_RUNS: list[tuple[str, str | None]] = []


@task()
def note_request_id(label: str) -> None:
    TASK_RUNS.append((label, current_request_id()))
    logger.info("任务 %s 已执行", label)


def log_and_enqueue(request: HttpRequest) -> JsonResponse:
    logger.info("申请人 %s 提交了申请", "110101199003070011")
    note_request_id("from-request")
    return JsonResponse({"request_id": current_request_id()})


urlpatterns = [path("log-and-enqueue/", log_and_enqueue), *hall_urlpatterns]
