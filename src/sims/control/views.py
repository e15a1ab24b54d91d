"""The simulator's own endpoints: health, fault rules, reset and dataset loading.

Only the simulator has these; the real outside systems do not. They are CSRF-exempt JSON
endpoints for the test suite and the project's launcher, bound to loopback like the rest.
"""

from __future__ import annotations

import json
import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from sims.control.models import FaultRule
from sims.control.selectors import fault_rules
from sims.control.services import (
    DatasetRejected,
    FaultRuleInvalid,
    dataset_load,
    fault_install,
    faults_clear,
    simulator_reset,
)
from sims.jsonapi import BadRequest, api_view, json_body, json_error, json_response

logger = logging.getLogger(__name__)


@api_view(methods=["GET"])
def health(request: HttpRequest) -> HttpResponse:
    try:
        connection.ensure_connection()
    except DatabaseError:
        logger.exception("模拟器数据库不可用")
        return json_response({"status": "unavailable", "service": "sims"}, status=503)
    return json_response({"status": "ok", "service": "sims"})


@api_view(methods=["GET", "POST", "DELETE"])
def faults(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        return json_response({"deleted": faults_clear()})
    if request.method == "GET":
        return json_response([_rule_payload(rule) for rule in fault_rules()])
    payload = json_body(request)
    try:
        rule = fault_install(
            system=payload.get("system", ""),
            operation=payload.get("operation", ""),
            mode=payload.get("mode", ""),
            share=payload.get("share", 1),
            count=payload.get("count"),
            delay_ms=payload.get("delay_ms", 0),
        )
    except FaultRuleInvalid as exc:
        raise BadRequest(str(exc), error="invalid_fault") from exc
    return json_response(_rule_payload(rule), status=201)


@api_view(methods=["POST"])
def reset(request: HttpRequest) -> HttpResponse:
    return json_response({"deleted": simulator_reset()})


@api_view(methods=["POST"])
def dataset(request: HttpRequest) -> HttpResponse:
    try:
        document = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("请求体不是有效的 UTF-8 JSON") from exc
    try:
        loaded = dataset_load(document=document)
    except DatasetRejected as exc:
        return json_response(
            {
                "error": "invalid_dataset",
                "message": "数据集格式不正确，未写入任何数据",
                "problems": exc.problems,
            },
            status=400,
        )
    return json_response(loaded)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Distinct from a protocol "not_found" (no such house / transfer): a client pointed at the
    # wrong path must not mistake it for an answer.
    return json_error(status=404, error="no_such_endpoint", message=f"没有这个接口：{request.path}")


def server_error(request: HttpRequest) -> HttpResponse:
    return json_error(status=500, error="internal_error", message="模拟器内部错误")


def _rule_payload(rule: FaultRule) -> dict:
    return {
        "system": rule.system,
        "operation": rule.operation,
        "mode": rule.mode,
        "share": rule.share,
        "count": rule.max_applications,
        "delay_ms": rule.delay_ms,
        "calls_seen": rule.calls_seen,
        "times_applied": rule.times_applied,
        # Per concrete mode, e.g. {"error": 41, "timeout": 39, …} after a "mixed" run.
        "applied_by_mode": rule.applied_by_mode,
    }
