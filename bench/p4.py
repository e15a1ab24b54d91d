"""P4: the staff review queue, the member's 我的业务 and the dashboard at 10 k and 1 M applications.

For each size: a fresh PostgreSQL database ``gjj_bench_p4_<size>``, migrated, filled in bulk on the
server (``INSERT … SELECT generate_series``; the persons' encrypted numbers are sealed in Python
and sent by COPY), analysed; then each page is measured in a subprocess with Django set up on that
database (``python -m bench.p4 --measure``): warm-up, the median server time of 20 requests, the
statements per page, and EXPLAIN (ANALYZE, BUFFERS) of the page's heaviest statement.

The model of the data (written into the report): one centre's online hall at two ages, taking
about 330 applications a day at both. 10 k is the hall a month after it opened; 1 M is the same
hall eight years on. What the three pages are about — the cases waiting for a decision, the last
30 days, one member's applications — follows the daily intake, the same at both sizes, while
history grows a hundredfold: the ratio measures what history costs, which is what an index must
remove (a page over the last 30 days costs what those days hold; P2 measures today's traffic).
60 % of the applications need a reviewer (the rest are 秒批); a reviewed case is decided within 2.5
days of its submission, so the waiting cases are the reviewed share of the last 4.5 days'
arrivals, plus a tail of 3 % of the previous ten days' reviewed arrivals left overdue: about 900
waiting at either size.

``python -m bench.p4 [--sizes 10000,1000000] [--keep]`` runs this part alone and prints its JSON
and markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.members import GIVEN, SURNAMES
from bench.result import PartResult, Progress
from gjj.fleet.topology import database_drop, database_ensure
from gjj.policy.rules import RULES as PURCHASE_RULES

DATABASE_PREFIX = "gjj_bench_p4"
SIZES = (10_000, 1_000_000)
APPLICATIONS_PER_MEMBER = 3  # each member's applications, spread over the whole history
REQUESTS = 20
WARM_UP = 5
PAGES = ("queue", "my_applications", "dashboard")
PAGE_TITLES = {
    "queue": "审核队列 /backoffice/queue/（初审）",
    "my_applications": "我的业务 /hall/…/applications/",
    "dashboard": "数据看板 /backoffice/dashboard/",
}
REVIEWER = "bench_first_reviewer"
CLAIMERS = ("bench_reviewer_a", "bench_reviewer_b", "bench_reviewer_c")
STAFF_PASSWORD = "Bench-Staff-2026!"

# The intake (see the module): about 330 a day at either size; the history is as long as the size
# needs. (With an exponent of 0.24 the intake would grow to about 1,000 a day at 1 M: the pages over
# a window then grow with the window, about threefold, which is traffic, not history.)
RECENT_INTAKE_AT_10K = 330.0
INTAKE_GROWTH_EXPONENT = float(os.environ.get("BENCH_P4_INTAKE_GROWTH", "0"))
FIRST_INTAKE_CAP = 370.0


def intake_model(size: int) -> tuple[float, float, float]:
    """(first day's intake, last day's intake, days of history) for ``size`` applications."""
    last = RECENT_INTAKE_AT_10K * (size / 10_000) ** INTAKE_GROWTH_EXPONENT
    first = min(last, FIRST_INTAKE_CAP)
    days = size / ((first + last) / 2)
    return first, last, days


# --- the databases ---------------------------------------------------------------------------------


def _django_env(database_url: str, work_dir: Path) -> dict[str, str]:
    var_dir = work_dir / "p4-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        GJJ_DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="gjj.settings.embedded",
        GJJ_VAR_DIR=str(var_dir),
    )
    return env


def _python(args: list[str], *, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return done.stdout


# --- generating (runs inside Django, on the bench database) ----------------------------------------


# A stored evaluation as the rules leave it: the purchase's rules (gjj.policy.rules), each with its
# result.
RULE_IDS = [rule.__name__ for rule in PURCHASE_RULES]


def _generate(size: int, progress_to_stdout: bool = True) -> None:
    """Fill the (migrated, empty) database of this process with ``size`` applications."""
    import django

    django.setup()
    from django.db import connection, transaction

    from gjj.core.encrypted import encrypt
    from gjj.staff.roles import StaffRole
    from gjj.staff.services import staff_create

    def say(text: str) -> None:
        if progress_to_stdout:
            print(f"progress: {text}", flush=True)

    members = size // APPLICATIONS_PER_MEMBER
    first, last, days = intake_model(size)
    started = time.monotonic()

    staff_create(
        username=REVIEWER, full_name="基准初审", roles=[StaffRole.FIRST_REVIEWER], password=STAFF_PASSWORD
    )
    claimer_ids = [
        staff_create(
            username=username,
            full_name=f"审核员{index}",
            roles=[StaffRole.FIRST_REVIEWER],
            password=STAFF_PASSWORD,
        ).user.pk
        for index, username in enumerate(CLAIMERS, start=1)
    ]

    phones = [encrypt(f"139{index:08d}", context="members.person.phone") for index in range(100)]
    application_card = encrypt("6222024013192319654", context="withdrawals.application.card_no")
    payout_card = encrypt("6222024013192319654", context="withdrawals.payout.card_no")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_employer (code, name) "
            "SELECT 'BE' || lpad(g::text, 6, '0'), '基准测试单位' || g FROM generate_series(1, 50) g"
        )
        cursor.execute("SELECT min(id) FROM members_employer")
        first_employer = cursor.fetchone()[0]
        say(f"{members:,} 名缴存职工（身份证号、手机号加密）")
        raw = connection.connection
        with (
            raw.cursor() as copy_cursor,
            copy_cursor.copy(
                "COPY members_person (id, id_number, name, phone, retired_on) FROM STDIN"
            ) as copy,
        ):
            for index in range(1, members + 1):
                id_number = f"2101{19600101 + (index % 400) * 100 + index % 28:08d}{index:06d}"[:18]
                name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)]
                copy.write_row(
                    (
                        index,
                        encrypt(id_number, context="members.person.id_number"),
                        name,
                        phones[index % len(phones)],
                        None,
                    )
                )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('members_person', 'id'), {members})")
        cursor.execute(
            """
            INSERT INTO members_fundaccount (id, account_no, person_id, employer_id, status, balance_fen,
                frozen_fen, opened_on, monthly_deposit_fen, paid_through, consecutive_months,
                closure_reason, version)
            SELECT g, 'BA' || lpad(g::text, 10, '0'), g, %s + g %% 50, 'normal', 5000000 + (g %% 97) * 100000,
                0, DATE '2015-01-01' + (g %% 2000), 180000, '2026-10', 60 + g %% 60, '', 0
            FROM generate_series(1, %s) g
            """,
            [first_employer, members],
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('members_fundaccount', 'id'), {members})")

        # One row per application, numbered in the order they arrived (n = 0 … size-1). A uniform
        # draw per row (u, v) from a multiplicative hash keeps the states reproducible. The moment
        # of arrival inverts the linear intake ramp: t = D·(√(a² + f·(b² − a²)) − a)/(b − a).
        ramp = (
            f"({days} * (sqrt({first}^2 + (n::float8 / {size}) * ({last}^2 - {first}^2)) - {first}) "
            f"/ {last - first})"
            if last > first
            else f"({days} * n::float8 / {size})"
        )
        say(f"{size:,} 笔提取申请（{days:,.0f} 天，每天 {first:,.0f}→{last:,.0f} 笔）")
        cursor.execute(
            f"""
            CREATE TEMP TABLE arrivals ON COMMIT DROP AS
            SELECT n,
                   now() - make_interval(secs => ({days} - {ramp}) * 86400) AS submitted_at,
                   ((n::bigint * 2654435761) % 1000003) / 1000003.0 AS u,
                   ((n::bigint * 40503 + 7) % 999983) / 999983.0 AS v,
                   (n %% 10) < 6 AS reviewed,
                   1 + (n::bigint * 7919) %% {members} AS person_id
            FROM generate_series(0, {size - 1}) n
            """.replace("%%", "%")
        )
        cursor.execute(
            """
            CREATE TEMP TABLE plan ON COMMIT DROP AS
            SELECT a.*, extract(epoch FROM now() - a.submitted_at) / 86400 AS age,
              CASE
                WHEN a.n >= %(last_third)s AND a.submitted_at > now() - interval '2 days' AND a.u >= 0.95
                     AND a.u < 0.97 THEN 'draft'
                WHEN a.submitted_at > now() - interval '2 days' AND a.u >= 0.97 THEN 'awaiting_materials'
                WHEN a.reviewed AND a.submitted_at > now() - interval '4.5 days'
                  THEN CASE WHEN a.v < 0.55 THEN 'submitted' ELSE 'under_review' END
                WHEN a.reviewed AND a.submitted_at > now() - interval '15 days' AND a.u < 0.03 THEN 'under_review'
                WHEN NOT a.reviewed AND a.submitted_at > now() - interval '10 minutes' THEN 'approved'
                WHEN NOT a.reviewed AND a.u < 0.004 AND a.submitted_at > now() - interval '20 days'
                  THEN 'payout_failed'
                WHEN NOT a.reviewed THEN 'paid'
                WHEN a.u < 0.08 THEN 'rejected'
                WHEN a.u < 0.14 AND a.submitted_at > now() - interval '12 days' THEN 'returned'
                WHEN a.u < 0.14 THEN 'expired'
                WHEN a.u < 0.18 THEN 'cancelled'
                WHEN a.submitted_at > now() - interval '4.6 days' THEN 'paying'
                ELSE 'paid'
              END AS state
            FROM arrivals a
            """,
            {"last_third": size - members},
        )
        rules = json.dumps(
            [{"rule": rule, "passed": True, "reason": ""} for rule in RULE_IDS], ensure_ascii=False
        )
        cursor.execute(
            """
            INSERT INTO withdrawals_application (
                id, business_no, person_id, account_id, reason, reason_code, channel, state,
                lookup_field, house_key, house_snapshot, house_source, house_looked_up_at, relation,
                bank, card_no, card_verification, card_verified_at, amount_fen,
                declaration_version, declaration_accepted_at, declaration_user_agent,
                rule_results, evaluated_at, machine_verified, evaluated_inputs, instant_approved,
                claimed_by_id, claimed_at, review_stage, what_to_fix, decision_reason,
                submitted_at, materials_due_at, decided_at, paid_at, created_at, updated_at)
            SELECT
                p.n + 1,
                CASE WHEN p.state = 'draft' THEN NULL
                     ELSE 'TQ' || to_char(p.submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                          || lpad((p.n + 1)::text, 8, '0') END,
                p.person_id, p.person_id,
                reason.key, reason.code,
                (ARRAY['web','web','web','web','wechat','wechat','wechat','wechat','app','app','app','api'])
                    [1 + (p.n * 13) %% 12],
                p.state,
                CASE WHEN reason.key = 'purchase' THEN 'contract_no' ELSE '' END,
                CASE WHEN reason.key = 'purchase' THEN 'SY' || lpad(p.n::text, 15, '0') ELSE '' END,
                CASE WHEN reason.key = 'purchase' THEN jsonb_build_object(
                    'kind', CASE WHEN p.v < 0.7 THEN 'new' ELSE 'resale' END,
                    'contract_no', 'SY' || lpad(p.n::text, 15, '0'),
                    'address', '沈阳市浑南区智慧四街' || (p.n %% 300) || '号' || (p.n %% 30) || '-' || (p.n %% 9) || '-1',
                    'area', (60 + p.n %% 90)::text || '.5', 'total_price_fen', 80000000 + (p.n %% 500) * 1000000,
                    'status', 'valid', 'filed_on', to_char(p.submitted_at - interval '40 days', 'YYYY-MM-DD'),
                    'buyers', jsonb_build_array(jsonb_build_object('name', '张伟', 'id_number', '2101**********0158')))
                END,
                CASE WHEN reason.key = 'purchase' THEN '住房信息系统（沈阳市房产局）' ELSE '' END,
                CASE WHEN reason.key = 'purchase' THEN p.submitted_at - interval '20 minutes' END,
                CASE WHEN reason.key = 'purchase' THEN CASE WHEN p.u < 0.85 THEN 'buyer' ELSE 'spouse' END
                     ELSE '' END,
                (ARRAY['CCB','ICBC','SJB'])[1 + p.n %% 3], %(card)s,
                jsonb_build_object('found', true, 'bank', (ARRAY['CCB','ICBC','SJB'])[1 + p.n %% 3],
                    'card_type', 'debit', 'account_class', 1, 'holder_matches', true, 'status', 'normal'),
                p.submitted_at - interval '15 minutes',
                100000 + ((p.n::bigint * 7) %% 1990) * 10000,
                'v2026.1', p.submitted_at - interval '10 minutes', 'Mozilla/5.0 (bench)',
                %(rules)s::jsonb, p.submitted_at - interval '10 minutes', NOT p.reviewed,
                jsonb_build_object('house_key', 'SY' || lpad(p.n::text, 15, '0'), 'bank', 'CCB',
                    'card_digest', md5(p.n::text), 'amount_fen', 100000 + ((p.n::bigint * 7) %% 1990) * 10000,
                    'max_amount_fen', 90000000),
                NOT p.reviewed AND p.state IN ('approved','paying','paid','payout_failed'),
                CASE WHEN p.state = 'under_review' THEN (%(claimers)s::int[])[1 + p.n %% %(claimer_count)s] END,
                CASE WHEN p.state = 'under_review' THEN p.submitted_at + interval '3 hours' END,
                CASE WHEN p.state = 'under_review' AND p.v > 0.9 THEN 2 ELSE 1 END,
                NULL, '',
                CASE WHEN p.state IN ('draft','awaiting_materials') THEN NULL ELSE p.submitted_at END,
                CASE WHEN p.state = 'awaiting_materials' THEN p.submitted_at + interval '7 days' END,
                CASE WHEN p.state IN ('approved','paying','paid','payout_failed','rejected')
                     THEN p.submitted_at + CASE WHEN p.reviewed THEN make_interval(secs => 3600 + p.v * 2.4 * 86400)
                                                ELSE interval '30 seconds' END END,
                CASE WHEN p.state = 'paid'
                     THEN p.submitted_at + CASE WHEN p.reviewed
                                                THEN make_interval(secs => 3600 + p.v * 2.4 * 86400) + interval '2 hours'
                                                ELSE interval '4 minutes' END END,
                p.submitted_at - interval '30 minutes', p.submitted_at
            FROM plan p
            CROSS JOIN LATERAL (
                SELECT CASE WHEN p.u < 0.6 THEN 'purchase' WHEN p.u < 0.9 THEN 'rent' ELSE 'retirement' END AS key,
                       CASE WHEN p.u < 0.6 THEN '01' WHEN p.u < 0.9 THEN '07' ELSE '03' END AS code
            ) reason
            """,
            {
                "card": application_card,
                "rules": rules,
                "claimers": claimer_ids,
                "claimer_count": len(claimer_ids),
            },
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('withdrawals_application', 'id'), {size})")
        say(f"状态变更与支付（{time.monotonic() - started:,.0f} 秒）")
        # The transitions the dashboard counts (the decisions) and the ones around them: submitted,
        # the decision, and the payment.
        cursor.execute(
            """
            INSERT INTO withdrawals_transition (application_id, from_state, to_state, actor_kind, actor_label,
                channel, reason, at)
            SELECT id, 'awaiting_materials', 'submitted', 'member', '缴存职工', channel, '提交申请', submitted_at
            FROM withdrawals_application WHERE submitted_at IS NOT NULL
            UNION ALL
            SELECT id, CASE WHEN instant_approved THEN 'submitted' ELSE 'under_review' END,
                CASE WHEN state = 'rejected' THEN 'rejected' ELSE 'approved' END,
                CASE WHEN instant_approved THEN 'system' ELSE 'staff' END,
                CASE WHEN instant_approved THEN '系统' ELSE '审核员' END,
                CASE WHEN instant_approved THEN 'system' ELSE 'backoffice' END, '审批', decided_at
            FROM withdrawals_application WHERE decided_at IS NOT NULL
            UNION ALL
            SELECT id, 'under_review', 'returned', 'staff', '审核员', 'backoffice', '退回补正',
                submitted_at + interval '1 day'
            FROM withdrawals_application WHERE state IN ('returned', 'expired')
            UNION ALL
            SELECT id, 'paying', 'paid', 'system', '系统', 'system', '到账', paid_at
            FROM withdrawals_application WHERE paid_at IS NOT NULL
            """
        )
        cursor.execute(
            """
            INSERT INTO withdrawals_payout (application_id, serial, bank, card_no, holder_name, amount_fen,
                state, attempts, bank_reference, bank_message, created_at, last_attempt_at, needs_manual,
                history, completed_at)
            SELECT id, 'PO' || lpad(id::text, 12, '0'), bank, %s, '张伟', amount_fen,
                CASE state WHEN 'paid' THEN 'done' WHEN 'paying' THEN 'sent' ELSE 'failed' END,
                1, CASE WHEN state = 'paid' THEN 'B' || id ELSE '' END, '',
                coalesce(decided_at, submitted_at), coalesce(decided_at, submitted_at), false, '[]'::jsonb,
                CASE WHEN state = 'paid' THEN paid_at WHEN state = 'payout_failed' THEN decided_at
                     + interval '2 minutes' END
            FROM withdrawals_application WHERE state IN ('paid', 'paying', 'payout_failed')
            """,
            [payout_card],
        )
    say(f"生成完毕（{time.monotonic() - started:,.0f} 秒），VACUUM ANALYZE")
    # Outside any transaction (Django's autocommit), as VACUUM requires; the visibility map it
    # writes is what lets the count read the index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- measuring (runs inside Django, on the bench database) -----------------------------------------


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY

    from gjj.identity.models import MemberLogin
    from gjj.staff.services import staff_totp_device
    from gjj.withdrawals.models import Application

    setup_test_environment()
    user_model = get_user_model()

    reviewer = user_model.objects.get(username=REVIEWER)
    staff = Client()
    staff.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    session = staff.session
    device = staff_totp_device(user=reviewer)
    assert device is not None
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # past the second factor, as the login leaves it
    session.save()

    # A member with the typical handful of applications: a recent one among them.
    recent = (
        Application.objects.filter(state="paid")
        .order_by("-submitted_at")
        .values_list("person_id", flat=True)[:1]
    )
    person_id = recent[0]
    member_user, _ = user_model.objects.get_or_create(username=f"bench-member-{person_id}")
    MemberLogin.objects.get_or_create(
        user=member_user,
        defaults={"person_id": person_id, "issuer": "http://sso.bench/o", "subject": f"b-{person_id}"},
    )
    member = Client()
    member.force_login(member_user, backend="django.contrib.auth.backends.ModelBackend")

    pages = {
        "queue": (staff, reverse("backoffice:queue")),
        "my_applications": (member, reverse("hall:applications")),
        "dashboard": (staff, reverse("backoffice:dashboard")),
    }
    found: dict[str, Any] = {}
    for name, (client, url) in pages.items():
        for _ in range(WARM_UP):
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code, response.content[:500])
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        statements = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
        # The heaviest read (a session save's COMMIT is not a query to explain).
        heaviest = max(
            (item for item in statements if item[1].startswith("SELECT")), key=lambda item: item[0]
        )[1]
        page: dict[str, Any] = {
            "url": url,
            "median_ms": round(statistics.median(times), 2),
            "statements": len(statements),
            "heaviest_sql": heaviest,
            "heaviest_plan": _explain(heaviest),
        }
        if name == "queue":
            rows_sql = next(
                sql for _, sql in statements if "withdrawals_application" in sql and "LIMIT 51" in sql
            )
            page["rows_sql"] = rows_sql
            page["rows_plan"] = _explain(rows_sql)
            counts_sql = next(sql for _, sql in statements if 'COUNT("withdrawals_application"' in sql)
            page["counts_plan"] = _explain(counts_sql)
            page["rows_on_page"] = html.count('href="/backoffice/cases/')
        found[name] = page
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE state IN ('submitted', 'under_review')), count(*), "
            "min(submitted_at), max(submitted_at) FROM withdrawals_application"
        )
        waiting, total, earliest, latest = cursor.fetchone()
    found["data"] = {
        "applications": total,
        "waiting": waiting,
        "earliest": earliest.isoformat() if earliest else None,
        "latest": latest.isoformat() if latest else None,
        "member_applications": Application.objects.filter(person_id=person_id).count(),
    }
    return found


# --- the part --------------------------------------------------------------------------------------


def run(
    *,
    pg_base_url: str,
    work_dir: Path,
    progress: Progress,
    sizes: tuple[int, ...] = SIZES,
    keep: bool = False,
) -> PartResult:
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        name = f"{DATABASE_PREFIX}_{size}"
        progress(f"P4 {size:,}: 新建数据库 {name} 并迁移")
        url = database_ensure(name, base=pg_base_url, fresh=True)
        env = _django_env(url, work_dir)
        _python(["-m", "gjj.cli", "migrate", "--noinput", "-v", "0"], env=env)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.p4", "--generate", str(size)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("progress: "):
                progress(f"P4 {size:,}: {line[len('progress: ') :].strip()}")
        if process.wait() != 0:
            raise RuntimeError(
                f"P4 generating {size} failed:\n{process.stderr.read() if process.stderr else ''}"
            )
        generated_s = time.monotonic() - started
        progress(f"P4 {size:,}: 测量三个页面（生成用时 {generated_s:,.0f} 秒）")
        measured = json.loads(_python(["-m", "bench.p4", "--measure"], env=env).strip().splitlines()[-1])
        measured["generate_seconds"] = round(generated_s, 1)
        results[size] = measured
        if not keep:
            database_drop(name, base=pg_base_url)
    return _result(results, sizes)


def _result(results: dict[int, dict[str, Any]], sizes: tuple[int, ...]) -> PartResult:
    small, large = min(sizes), max(sizes)
    ratios = {
        page: round(results[large][page]["median_ms"] / results[small][page]["median_ms"], 2)
        for page in PAGES
    }
    details = {
        "ratios": ratios,
        "model": {
            str(size): dict(zip(("first_day", "last_day", "days"), intake_model(size), strict=True))
            for size in sizes
        },
        "sizes": {str(size): results[size] for size in sizes},
    }
    return PartResult(
        figures={"p4_ratio": max(ratios.values())},
        details=details,
        markdown=_markdown(results, sizes, ratios),
    )


def _markdown(results: dict[int, dict[str, Any]], sizes: tuple[int, ...], ratios: dict[str, float]) -> str:
    small, large = min(sizes), max(sizes)
    lines = [
        "## P4 — the queue, 我的业务 and the dashboard at 10 k and 1 M applications",
        "",
        "Each size is a fresh PostgreSQL database filled in bulk on the server and analysed; each page is "
        f"the median server time of {REQUESTS} requests after {WARM_UP} warm-up ones (Django's test client "
        "in one process on that database: middleware, views, templates and the queries), as the 初审 "
        "reviewer, a member, and the reviewer again for the dashboard.",
        "",
        "The data: one centre's online hall at two ages, taking about 330 applications a day at both: 10 k "
        "is the hall a month after it opened, 1 M the same hall eight years on. What the pages show follows "
        "the daily intake — the cases waiting for a decision, the last 30 days, one member's applications — "
        "while history grows a hundredfold, so the ratio is what history costs each page. (A centre whose "
        "intake had tripled meanwhile would see the dashboard's 30-day figures cost about three times as "
        "much, with the same plans: that is traffic, and `BENCH_P4_INTAKE_GROWTH=0.24` measures it.) 60 % of the "
        "applications need a reviewer (the rest are 秒批), and a reviewed case is decided within 2.5 days: "
        "the waiting cases are the reviewed share of the last 4.5 days' arrivals plus 3 % of the previous "
        "ten days' left overdue, not a fixed share of history. Each member has three applications spread "
        "over the history; every application has its transitions (submitted, decided, paid) and its payout.",
        "",
        "| | " + " | ".join(f"{size:,}" for size in sizes) + " |",
        "| --- | " + " | ".join("---" for _ in sizes) + " |",
        "| applications | " + " | ".join(f"{results[s]['data']['applications']:,}" for s in sizes) + " |",
        "| waiting for a decision | "
        + " | ".join(f"{results[s]['data']['waiting']:,}" for s in sizes)
        + " |",
        "| history | "
        + " | ".join(
            f"{results[s]['data']['earliest'][:10]} → {results[s]['data']['latest'][:10]}" for s in sizes
        )
        + " |",
        "| generated in | " + " | ".join(f"{results[s]['generate_seconds']:,.0f} s" for s in sizes) + " |",
        "",
        f"| page | {small:,}: median | statements | {large:,}: median | statements | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for page in PAGES:
        a, b = results[small][page], results[large][page]
        lines.append(
            f"| {PAGE_TITLES[page]} | {a['median_ms']:.1f} ms | {a['statements']} | {b['median_ms']:.1f} ms | "
            f"{b['statements']} | {ratios[page]:.2f} |"
        )
    lines += [
        "",
        f"**p4_ratio = {max(ratios.values()):.2f}** (the worst page's {large:,} ÷ {small:,}).",
        "",
        f"The queue's page at {large:,}: its rows, read in the queue's order from the partial index of the "
        "waiting cases, the next page starting after the last row's key (no OFFSET):",
        "",
        "```",
        results[large]["queue"]["rows_plan"],
        "```",
        "",
        "Its counts (all waiting, the overdue ones, the ones ahead of the page) in one statement over the "
        "same index:",
        "",
        "```",
        results[large]["queue"]["counts_plan"],
        "```",
        "",
        f"The heaviest statement of the dashboard at {large:,}:",
        "",
        "```",
        results[large]["dashboard"]["heaviest_plan"],
        "```",
        "",
        f"The heaviest statement of 我的业务 at {large:,}:",
        "",
        "```",
        results[large]["my_applications"]["heaviest_plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.p4", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="e.g. 10000,1000000")
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL without a database"
    )
    parser.add_argument("--work-dir", default="var/bench", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the gjj_bench_p4_* databases")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)  # inside the subprocess
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # inside the subprocess
    args = parser.parse_args(argv)
    if args.generate:
        _generate(args.generate)
        return
    if args.measure:
        print(json.dumps(_measure(), ensure_ascii=False))
        return
    sizes = tuple(int(part) for part in args.sizes.split(",") if part.strip())
    result = run(
        pg_base_url=args.pg,
        work_dir=args.work_dir,
        progress=lambda text: print(text, file=sys.stderr, flush=True),
        sizes=sizes,
        keep=args.keep,
    )
    print(json.dumps({"figures": result.figures, "details": result.details}, ensure_ascii=False, indent=2))
    print(result.markdown)


if __name__ == "__main__":
    main()
