"""Members applying through nginx as the app does (bench.flow), and retrying as the app must.

A request that met a killed instance (a reset connection, nginx's 502) or a passing fault (503, an
injected bank error surfacing as 5xx) is sent again with the same Idempotency-Key, after a short
pause that grows; an answer the member must act on (4xx) ends that member's attempt and is
reported, never retried."""

from __future__ import annotations

import asyncio
import ssl
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.flow import Answer, FlowFailed, Step, application, jpeg
from bench.load import JobFailed
from bench.members import PASSWORD, Member
from bench.oidc import api_token

RETRYABLE_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
MAX_TRIES = 40


@dataclass
class Outcome:
    member: Member
    application_id: int | None = None
    business_no: str | None = None
    state: str | None = None
    error: str | None = None
    retries: int = 0


@dataclass
class DriveReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def submitted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.business_no]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.business_no]

    @property
    def retries(self) -> int:
        return sum(o.retries for o in self.outcomes)


async def _send(http: httpx.AsyncClient, step: Step, token: str, outcome: Outcome) -> Answer:
    headers = {"Authorization": f"Bearer {token}", **step.headers}
    if step.method != "GET":
        # One key per step, kept across its retries: a repeat is answered, never done twice.
        headers["Idempotency-Key"] = uuid.uuid4().hex
    pause = 0.2
    last = ""
    for _ in range(MAX_TRIES):
        try:
            response = await http.request(
                step.method, step.path, json=step.json, files=step.files, headers=headers
            )
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}"
        else:
            if response.status_code not in RETRYABLE_STATUSES:
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text[:300]
                return Answer(response.status_code, body)
            last = f"HTTP {response.status_code}"
        outcome.retries += 1
        await asyncio.sleep(pause)
        pause = min(pause * 1.6, 3.0)
    raise FlowFailed(f"{step.method} {step.path}: still {last} after {MAX_TRIES} tries")


async def _one(
    *,
    member: Member,
    hall: str,
    govsso: str,
    client_secret: str,
    http: httpx.AsyncClient,
    image: bytes,
) -> Outcome:
    outcome = Outcome(member=member)
    try:
        token = await _token(govsso, hall, member, client_secret, outcome)
        flow = application(member, image)
        step = next(flow)
        while True:
            answer = await _send(http, step, token, outcome)
            if step.name == "start" and answer.status == 200:
                outcome.application_id = answer.body["id"]
            step = flow.send(answer)
    except StopIteration as finished:
        final = finished.value
        outcome.business_no = final.get("business_no")
        outcome.state = final.get("state")
    except Exception as exc:  # one member's failure is reported with the others, never ends the run
        outcome.error = f"{type(exc).__name__}: {exc}"[:400]
    return outcome


async def _token(govsso: str, hall: str, member: Member, client_secret: str, outcome: Outcome) -> str:
    """The SSO stand-in is not killed, but the first logins of a run can meet its start-up."""
    for attempt in range(5):
        try:
            return await api_token(govsso, hall, member.id_number, PASSWORD, client_secret=client_secret)
        except (httpx.HTTPError, JobFailed):
            if attempt == 4:
                raise
            outcome.retries += 1
            await asyncio.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


async def drive(
    members: list[Member],
    *,
    hall: str,
    govsso: str,
    client_secret: str,
    certificate: Path,
    concurrency: int,
    progress: Any = print,
) -> DriveReport:
    image = jpeg()
    report = DriveReport()
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(
        base_url=hall,
        verify=ssl.create_default_context(cafile=str(certificate)),
        timeout=httpx.Timeout(90.0, connect=10.0),
        limits=limits,
    ) as http:

        async def bounded(member: Member) -> Outcome:
            async with semaphore:
                outcome = await _one(
                    member=member,
                    hall=hall,
                    govsso=govsso,
                    client_secret=client_secret,
                    http=http,
                    image=image,
                )
            report.outcomes.append(outcome)
            done = len(report.outcomes)
            if done % max(1, len(members) // 10) == 0:
                progress(f"  {done}/{len(members)} 笔已提交（重试 {report.retries} 次）")
            return outcome

        await asyncio.gather(*(bounded(member) for member in members))
    return report
