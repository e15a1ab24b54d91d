"""The JSON API for the native app (手机APP), under /api/v1/. Every write goes through
gjj.withdrawals.services as the member on the API channel; personal data is masked in every answer
except the member's own name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import File, NinjaAPI, Query, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from pydantic import Field

from gjj.api.auth import NO_ACCOUNT_MESSAGE, MemberBearer, NoAccount, ProviderUnavailable
from gjj.api.idempotency import Result, idempotent
from gjj.applications.forms import DECLARATION_MISSING, HOUSE_BOTH, HOUSE_MISSING
from gjj.applications.presenters import field_for_rule
from gjj.core.masking import mask_card_number, mask_id_number
from gjj.core.money import fen_to_yuan
from gjj.core.origin import origin_of
from gjj.core.timeutil import today_shanghai
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.policy.evaluation import Evaluation, evaluate
from gjj.policy.reasons import (
    REASON_KEYS,
    REASONS,
    SUBJECT_HOUSE,
    UnknownReason,
    declaration_for,
    reason_name,
)
from gjj.policy.rules import CARD_RULE_IDS, HOUSE_NOT_FOUND
from gjj.withdrawals import selectors, services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.eligibility import eligibility_gather
from gjj.withdrawals.errors import ApplicationError, ApplicationRefused, OutsideSystemDidNotAnswer
from gjj.withdrawals.form_selectors import current_material_kinds
from gjj.withdrawals.inputs import amount_parse, bank_code_clean, card_number_clean, house_key_clean
from gjj.withdrawals.materials import MaterialRejected
from gjj.withdrawals.models import Application, Channel

api = NinjaAPI(
    title="辽宁省直住房资金管理中心 网上服务大厅 API",
    version="1.0.0",
    description="手机APP 使用的 JSON 接口。认证：Authorization: Bearer <政务服务网 OIDC access token>。"
    "所有写操作支持 Idempotency-Key 请求头。",
    auth=MemberBearer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    # "ninja" is in INSTALLED_APPS: the docs load swagger-ui from ninja's bundled static files, never a CDN;
    # no validator badge from validator.swagger.io either.
    docs=Swagger(settings={"validatorUrl": None}),
)


# Every write honours this header (gjj.api.idempotency).
IDEMPOTENT: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": "同一键的重复请求返回第一次的结果且不再执行；同一键用于不同请求返回 422",
            "schema": {"type": "string", "maxLength": 200},
        }
    ]
}


# --- errors -------------------------------------------------------------------------------------


def _json(status: int, body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _json(401, {"code": "unauthorized", "message": "登录已失效，请重新登录"})
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(NoAccount)
def _no_account(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _json(403, {"code": "no_account", "message": NO_ACCOUNT_MESSAGE})


@api.exception_handler(ProviderUnavailable)
def _provider_down(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _json(503, {"code": "sso_unavailable", "message": "统一身份认证服务暂时无法访问，请稍后再试"})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in error.get("loc", ())[1:]), "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return _json(400, {"code": "invalid_request", "message": "请求参数不正确", "errors": errors})


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _json(404, {"code": "not_found", "message": "未找到该申请"})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _json(exc.status_code, {"code": "error", "message": str(exc)})


def _check(rule: str, passed: bool, reason: str) -> dict[str, Any]:
    """One rule's result, with the input it concerns by the same map the desktop and the H5 use."""
    return {"rule": rule, "passed": passed, "reason": reason, "field": field_for_rule(rule)}


def _refused(exc: ApplicationRefused) -> Result:
    checks = [_check(result.rule, result.passed, result.reason) for result in exc.evaluation.results]
    if exc.undecided:
        return _outside_unavailable(checks)
    return 422, {"code": "refused", "message": exc.message, "checks": checks}


def _outside_unavailable(checks: list[dict[str, Any]]) -> Result:
    """503, not 422: the registry or the bank did not answer, nothing was decided, and the app may
    send the same request again later (the Idempotency-Key of a 5xx is free again)."""
    reasons = "；".join(dict.fromkeys(check["reason"] for check in checks if not check["passed"]))
    return 503, {
        "code": "outside_unavailable",
        "message": reasons or "外部系统暂时无法访问，请稍后再试",
        "checks": checks,
    }


def _error(exc: ApplicationError) -> Result:
    status = 400 if exc.field else 409
    return status, {
        "code": "invalid" if exc.field else "conflict",
        "message": exc.message,
        "field": exc.field,
    }


def _guarded(run: Any) -> Any:
    def wrapped() -> Result:
        try:
            return run()
        except ApplicationRefused as exc:
            return _refused(exc)
        except OutsideSystemDidNotAnswer as exc:
            return 503, {"code": "outside_unavailable", "message": exc.message, "field": exc.field}
        except ApplicationError as exc:
            return _error(exc)
        except MaterialRejected as exc:
            return 400, {"code": "material_rejected", "message": exc.message, "field": "file"}

    return wrapped


# --- schemas ------------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class CheckOut(Schema):
    rule: str = Field(description="规则编号（DESIGN.md 的 rule id）")
    passed: bool
    reason: str = Field(description="未通过的原因（中文），通过时为空")
    field: str | None = Field(
        description="该规则对应的填写项（house、bank、card_no、amount），与个人网厅、手机页面标注的位置一致；"
        "与填写项无关（账户、贷款、在办申请、名下住房等）时为空"
    )


class RefusedOut(Schema):
    code: str = Field(description='"refused"')
    message: str
    checks: list[CheckOut]


class InvalidOut(Schema):
    code: str
    message: str
    errors: list[dict[str, str]] = Field(default_factory=list)


class MemberOut(Schema):
    name: str
    id_number: str = Field(description="身份证号（已遮盖）")


class AccountOut(Schema):
    account_no: str = Field(description="个人账号（已遮盖）")
    status: str = Field(description="normal 正常 / sealed 封存 / frozen 冻结 / closed 销户")
    status_label: str
    balance_fen: int
    balance: str
    frozen_fen: int
    frozen: str
    available_fen: int
    available: str
    consecutive_months: int


class DeclarationOut(Schema):
    version: str
    title: str
    text: str


class MaterialKindOut(Schema):
    kind: str
    name: str


class ReasonOut(Schema):
    key: str = Field(description="提取原因：创建申请时的 reason")
    code: str = Field(description="全国统一的提取原因代码")
    name: str
    summary: str = Field(description="一句话说明谁可以办理")
    subject: str = Field(description="house 房屋 / tenancy 租赁 / retirement 离退休")
    needs_house: bool = Field(description="是否须查询房屋（备案合同号或房证新档案号）")
    amount_fixed: bool = Field(description="提取金额由规则确定（离退休提取：全部余额），不能填写")
    materials: list[MaterialKindOut]


class BuyerOut(Schema):
    name: str
    id_number: str = Field(description="身份证号（已遮盖）")


class HouseOut(Schema):
    contract_no: str | None = None
    archive_no: str | None = None
    kind: str | None = None
    address: str | None = None
    area_m2: float | None = None
    total_price_fen: int | None = None
    total_price: str | None = None
    filed_on: str | None = None
    registered_on: str | None = None
    status: str | None = None
    buyers: list[BuyerOut] = Field(default_factory=list)


class HouseLookupOut(Schema):
    application_id: int
    lookup_field: str
    relation: str | None
    house: HouseOut | None


class CardCheckOut(Schema):
    bank: str
    card_no: str = Field(description="银行卡号码（已遮盖）")
    passed: bool
    checks: list[CheckOut]


class MaterialsOut(Schema):
    required: list[MaterialKindOut]
    uploaded: list[str]
    missing: list[str]


class TimelineOut(Schema):
    at: str
    from_state: str | None
    to_state: str
    to_label: str
    actor: str
    channel: str
    channel_label: str
    reason: str


class ApplicationSummaryOut(Schema):
    id: int
    business_no: str | None
    reason: str = Field(description="提取原因（GET /reasons 的 key）")
    reason_name: str
    state: str
    state_label: str
    channel: str
    channel_label: str
    amount_fen: int | None
    amount: str | None
    created_at: str
    submitted_at: str | None


class ApplicationOut(ApplicationSummaryOut):
    lookup_field: str | None
    house_key: str | None
    house: HouseOut | None
    relation: str | None
    bank: str | None
    card_no: str | None = Field(description="银行卡号码（已遮盖）")
    declaration_version: str | None
    declaration_accepted_at: str | None
    materials_due_at: str | None
    materials: MaterialsOut
    checks: list[CheckOut]
    decision_reason: str | None
    timeline: list[TimelineOut]


# What a write answers, besides 200 with the application (documented for the app's developers and
# checked by schemathesis).
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    # The registry or the bank did not answer: nothing decided, ask again later.
    503: RefusedOut | ErrorOut,
}
WRITE_RESPONSES: dict[int, Any] = {200: ApplicationOut, 422: RefusedOut | ErrorOut, **WRITE_ERRORS}


class ApplicationStartIn(Schema):
    reason: str = Field(
        default="purchase",
        description="提取原因：purchase 购房提取 / rent 租房提取 / retirement 离退休提取（GET /reasons）",
        json_schema_extra={"enum": list(REASON_KEYS)},
    )


class ReasonQuery(Schema):
    reason: str = Field(
        default="purchase",
        description="提取原因（GET /reasons 的 key）",
        json_schema_extra={"enum": list(REASON_KEYS)},
    )


class HouseLookupIn(Schema):
    contract_no: str | None = Field(default=None, max_length=64, description="备案合同号")
    archive_no: str | None = Field(default=None, max_length=64, description="房证新档案号")


class CardCheckIn(Schema):
    bank: str = Field(max_length=8, description="收款银行：CCB / ICBC / SJB")
    card_no: str = Field(max_length=40, description="银行卡号码")


class DraftPatchIn(Schema):
    contract_no: str | None = Field(default=None, max_length=64, description="备案合同号")
    archive_no: str | None = Field(default=None, max_length=64, description="房证新档案号")
    bank: str | None = Field(default=None, max_length=8, description="收款银行：CCB / ICBC / SJB")
    card_no: str | None = Field(default=None, max_length=40, description="银行卡号码")
    amount: str | None = Field(default=None, max_length=20, description='提取金额（元），如 "86420.50"')
    declaration_accepted: bool | None = Field(default=None, description="已阅读并同意《承诺书》")
    declaration_version: str | None = Field(default=None, max_length=32, description="承诺书版本")


# --- presenters ---------------------------------------------------------------------------------


def _actor(person: Person) -> Actor:
    return Actor.member(person, channel=Channel.API)


def _person(request: HttpRequest) -> Person:
    person: Person = request.auth  # type: ignore[attr-defined]
    return person


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def _house(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if not snapshot:
        return None
    return {
        **{k: v for k, v in snapshot.items() if k != "buyers"},
        "buyers": [
            {"name": buyer.get("name", ""), "id_number": mask_id_number(buyer.get("id_number"))}
            for buyer in snapshot.get("buyers", [])
        ],
    }


def _application(application: Application, *, detail: bool = True) -> dict[str, Any]:
    policy = active_policy()
    body: dict[str, Any] = {
        "id": application.pk,
        "business_no": application.business_no or None,
        "reason": application.reason,
        "reason_name": reason_name(policy, application.reason),
        "state": application.state,
        "state_label": selectors.state_label(application.state),
        "channel": application.channel,
        "channel_label": selectors.channel_label(application.channel),
        "amount_fen": application.amount_fen,
        "amount": _yuan(application.amount_fen),
        "created_at": application.created_at.isoformat(),
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
    }
    if not detail:
        return body
    # A purchase's materials depend on the house: none are required before it is echoed.
    required = services.required_material_kinds(application, policy)
    present = current_material_kinds(application)
    body.update(
        {
            "lookup_field": application.lookup_field or None,
            "house_key": application.house_key or None,
            "house": _house(application.house_snapshot),
            "relation": application.relation or None,
            "bank": application.bank or None,
            "card_no": mask_card_number(application.card_no) or None,
            "declaration_version": application.declaration_version or None,
            "declaration_accepted_at": (
                application.declaration_accepted_at.isoformat()
                if application.declaration_accepted_at
                else None
            ),
            "materials_due_at": application.materials_due_at.isoformat()
            if application.materials_due_at
            else None,
            "materials": {
                "required": [
                    {"kind": kind, "name": policy.material_names.get(kind, kind)} for kind in required
                ],
                "uploaded": [kind for kind in required if kind in present],
                "missing": [kind for kind in required if kind not in present],
            },
            "checks": [
                _check(str(r.get("rule")), bool(r.get("passed")), str(r.get("reason") or ""))
                for r in (application.rule_results or [])
            ],
            "decision_reason": application.decision_reason or None,
            "timeline": [
                {
                    "at": t.at.isoformat(),
                    "from_state": t.from_state or None,
                    "to_state": t.to_state,
                    "to_label": selectors.state_label(t.to_state),
                    "actor": t.actor_label,
                    "channel": t.channel,
                    "channel_label": selectors.channel_label(t.channel),
                    "reason": t.reason,
                }
                for t in application.transitions.order_by("at", "id")
            ],
        }
    )
    return body


def _owned(person: Person, application_id: int) -> Application:
    application = (
        Application.objects.select_related("person", "account")
        .filter(pk=application_id, person=person)
        .first()
    )
    if application is None:
        raise Http404
    return application


# --- the member ---------------------------------------------------------------------------------


@api.get("/me", summary="当前缴存职工", tags=["member"], response=MemberOut)
def me(request: HttpRequest) -> dict[str, Any]:
    person = _person(request)
    return {"name": person.name, "id_number": mask_id_number(person.id_number)}


@api.get("/account", summary="个人账户", tags=["member"], response=AccountOut)
def account(request: HttpRequest) -> dict[str, Any]:
    fund = _person(request).account  # type: ignore[attr-defined]
    fund.refresh_from_db()
    return {
        "account_no": mask_card_number(fund.account_no),
        "status": fund.status,
        "status_label": fund.get_status_display(),
        "balance_fen": fund.balance_fen,
        "balance": fen_to_yuan(fund.balance_fen),
        "frozen_fen": fund.frozen_fen,
        "frozen": fen_to_yuan(fund.frozen_fen),
        "available_fen": fund.available_fen,
        "available": fen_to_yuan(fund.available_fen),
        "consecutive_months": fund.consecutive_months,
    }


@api.get(
    "/declaration",
    summary="承诺书（版本与正文）",
    description="各提取原因的承诺书不同；接受承诺书时提交所读文本的版本。",
    tags=["member"],
    response={200: DeclarationOut, 400: ErrorOut},
)
def declaration(request: HttpRequest, query: Query[ReasonQuery]) -> Result:
    reason = query.reason
    if reason not in REASONS:
        return 400, {"code": "invalid", "message": str(UnknownReason(reason)), "field": "reason"}
    text = declaration_for(active_policy(), reason)
    return 200, {"version": text.version, "title": text.title, "text": text.text}


@api.get("/reasons", summary="可办理的提取原因", tags=["applications"], response=list[ReasonOut])
def reasons(request: HttpRequest) -> list[dict[str, Any]]:
    policy = active_policy()
    return [
        {
            "key": reason.key,
            "code": reason.national_code(policy),
            "name": reason_name(policy, reason.key),
            "summary": reason.summary,
            "subject": reason.subject,
            "needs_house": reason.subject == SUBJECT_HOUSE,
            "amount_fixed": reason.amount_fixed,
            # A purchase's list depends on the house kind: its basic list (商品房 bought by the buyer).
            "materials": [
                {"kind": kind, "name": policy.material_names.get(kind, kind)}
                for kind in reason.materials(
                    policy, "new" if reason.subject == SUBJECT_HOUSE else None, "buyer"
                )
            ],
        }
        for reason in REASONS.values()
    ]


def _lookup_key(contract_no: str | None, archive_no: str | None) -> tuple[str, str]:
    """The house field filled in, read as the forms read it (gjj.withdrawals.inputs), same words."""
    contract_no, archive_no = house_key_clean(contract_no), house_key_clean(archive_no)
    if contract_no and archive_no:
        raise ApplicationError(HOUSE_BOTH, field="contract_no")
    if contract_no:
        return "contract_no", contract_no
    if archive_no:
        return "archive_no", archive_no
    raise ApplicationError(HOUSE_MISSING, field="contract_no")


@api.post(
    "/houses/lookup",
    summary="按备案合同号或房证新档案号查询房屋（购房提取）",
    tags=["house"],
    openapi_extra=IDEMPOTENT,
    response={200: HouseLookupOut, 422: RefusedOut | ErrorOut, **WRITE_ERRORS},
)
def house_lookup(request: HttpRequest, payload: HouseLookupIn) -> HttpResponse:
    person = _person(request)

    def run() -> Result:
        field, key = _lookup_key(payload.contract_no, payload.archive_no)
        application = services.application_start(person=person, actor=_actor(person))
        lookup = services.application_lookup_house(
            application=application, lookup_field=field, key=key, actor=_actor(person)
        )
        if not lookup.mine:
            return 404, {
                "code": "house_not_found",
                "message": HOUSE_NOT_FOUND,
                "field": field,
            }
        return 200, {
            "application_id": application.pk,
            "lookup_field": field,
            "relation": lookup.relation,
            "house": _house(lookup.record.to_snapshot() if lookup.record else None),
        }

    return idempotent(request, person, _guarded(run))


@api.post(
    "/cards/check",
    summary="核验收款银行卡",
    tags=["card"],
    openapi_extra=IDEMPOTENT,
    response={200: CardCheckOut, 422: RefusedOut | ErrorOut, **WRITE_ERRORS},
)
def card_check(request: HttpRequest, payload: CardCheckIn) -> HttpResponse:
    person = _person(request)

    def run() -> Result:
        policy = active_policy()
        bank, card_no = bank_code_clean(payload.bank), card_number_clean(payload.card_no)
        gathered = eligibility_gather(
            id_number=person.id_number,
            lookup_field=None,
            house_key=None,
            bank=bank,
            card_no=card_no,
            amount_fen=None,
            on=today_shanghai(),
            policy=policy,
        )
        card = Evaluation(
            results=tuple(r for r in evaluate(policy, gathered.facts).results if r.rule in CARD_RULE_IDS),
            max_amount_fen=None,
            relation=None,
        )
        checks = [_check(r.rule, r.passed, r.reason) for r in card.results]
        if card.undecided_by(gathered.facts.unavailable_sources):
            return _outside_unavailable(checks)
        return 200, {
            "bank": bank,
            "card_no": mask_card_number(card_no),
            "passed": card.eligible,
            "checks": checks,
        }

    return idempotent(request, person, _guarded(run))


# --- applications -------------------------------------------------------------------------------


@api.get("/applications", summary="我的提取申请", tags=["applications"], response=list[ApplicationSummaryOut])
def applications_list(request: HttpRequest) -> list[dict[str, Any]]:
    person = _person(request)
    rows = Application.objects.filter(person=person).order_by("-created_at", "-pk")
    return [_application(a, detail=False) for a in rows]


@api.post(
    "/applications",
    summary="开始（或继续）提取申请草稿",
    description="每人只有一份草稿：已有草稿时继续该草稿；reason 与草稿不同时，草稿改为该提取原因"
    "（房屋与金额清空，收款银行卡保留）。不带请求体时为购房提取。",
    tags=["applications"],
    openapi_extra=IDEMPOTENT,
    response=WRITE_RESPONSES,
)
def applications_start(request: HttpRequest, payload: ApplicationStartIn | None = None) -> HttpResponse:
    person = _person(request)
    reason = payload.reason if payload is not None else "purchase"

    def run() -> Result:
        application = services.application_start(person=person, actor=_actor(person), reason=reason)
        return 200, _application(application)

    return idempotent(request, person, _guarded(run))


@api.get(
    "/applications/{application_id}",
    summary="申请详情与办理进度",
    tags=["applications"],
    response=ApplicationOut,
)
def applications_detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _application(_owned(_person(request), application_id))


@api.patch(
    "/applications/{application_id}",
    summary="修改草稿",
    tags=["applications"],
    openapi_extra=IDEMPOTENT,
    response=WRITE_RESPONSES,
)
def applications_update(request: HttpRequest, application_id: int, payload: DraftPatchIn) -> HttpResponse:
    person = _person(request)
    application = _owned(person, application_id)

    def run() -> Result:
        actor = _actor(person)
        # Everything that can be refused without asking anyone is checked before anything is kept.
        # The amount as the forms read it ("50,000元" too); blank means the maximum, as on the forms.
        amount_fen, problem = amount_parse(payload.amount)
        if problem:
            raise ApplicationError(problem, field="amount")
        clear_amount = payload.amount is not None and amount_fen is None
        if payload.declaration_accepted is False:
            raise ApplicationError(DECLARATION_MISSING, field="declaration")
        lookup_key = (
            _lookup_key(payload.contract_no, payload.archive_no)
            if payload.contract_no or payload.archive_no
            else None
        )
        if payload.bank is not None or payload.card_no is not None or payload.amount is not None:
            services.application_update_draft(
                application=application,
                actor=actor,
                bank=payload.bank,
                card_no=payload.card_no,
                amount_fen=amount_fen,
                clear_amount=clear_amount,
            )
        if payload.declaration_accepted:
            origin = origin_of(request)
            services.application_accept_declaration(
                application=application,
                actor=actor,
                version=payload.declaration_version or "",
                client_ip=origin.ip,
                user_agent=origin.user_agent,
            )
        if lookup_key is not None:
            field, key = lookup_key
            lookup = services.application_lookup_house(
                application=application, lookup_field=field, key=key, actor=actor
            )
            if not lookup.mine:
                return 400, {"code": "house_not_found", "message": HOUSE_NOT_FOUND, "field": field}
        application.refresh_from_db()
        return 200, _application(application)

    return idempotent(request, person, _guarded(run))


def _application_write(
    request: HttpRequest, application_id: int, act: Callable[[Application, Actor], object]
) -> HttpResponse:
    """One write on the member's own application, through the idempotency record: ``act`` calls a
    service; the application as it then stands in the database is the answer."""
    person = _person(request)
    application = _owned(person, application_id)

    def run() -> Result:
        act(application, _actor(person))
        application.refresh_from_db()
        return 200, _application(application)

    return idempotent(request, person, _guarded(run))


@api.post(
    "/applications/{application_id}/submit",
    summary="提交申请（核验全部条件）",
    response=WRITE_RESPONSES,
    tags=["applications"],
    openapi_extra=IDEMPOTENT,
)
def applications_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    return _application_write(
        request,
        application_id,
        lambda application, actor: services.application_submit(application=application, actor=actor),
    )


@api.post(
    "/applications/{application_id}/materials/{kind}",
    summary="上传影像材料",
    response=WRITE_RESPONSES,
    tags=["materials"],
    openapi_extra=IDEMPOTENT,
)
def materials_upload(
    request: HttpRequest, application_id: int, kind: str, file: File[UploadedFile]
) -> HttpResponse:
    return _application_write(
        request,
        application_id,
        lambda application, actor: services.material_upload_file(
            application=application, kind=kind, uploaded=file, actor=actor
        ),
    )


@api.delete(
    "/applications/{application_id}/materials/{kind}",
    summary="删除影像材料",
    response=WRITE_RESPONSES,
    tags=["materials"],
    openapi_extra=IDEMPOTENT,
)
def materials_remove(request: HttpRequest, application_id: int, kind: str) -> HttpResponse:
    return _application_write(
        request,
        application_id,
        lambda application, actor: services.material_remove(application=application, kind=kind, actor=actor),
    )


@api.post(
    "/applications/{application_id}/final-submit",
    summary="影像上传后提交申请",
    response=WRITE_RESPONSES,
    tags=["applications"],
    openapi_extra=IDEMPOTENT,
)
def applications_final_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    return _application_write(
        request,
        application_id,
        lambda application, actor: services.application_final_submit(application=application, actor=actor),
    )


@api.post(
    "/applications/{application_id}/cancel",
    summary="撤回申请",
    response=WRITE_RESPONSES,
    tags=["applications"],
    openapi_extra=IDEMPOTENT,
)
def applications_cancel(request: HttpRequest, application_id: int) -> HttpResponse:
    return _application_write(
        request,
        application_id,
        lambda application, actor: services.application_cancel(application=application, actor=actor),
    )
