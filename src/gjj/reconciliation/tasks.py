"""Background work (Huey): each morning, yesterday's statement is fetched from the bank and
reconciled. A bank that is down is logged, not raised: an operator re-runs
``gjj reconcile-statement`` for the day, and a raise would only fill the worker's log with a
traceback for a known condition."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gjj.clients.bank import BankUnavailable
from gjj.core.timeutil import today_shanghai
from gjj.reconciliation import services

logger = logging.getLogger(__name__)


def import_yesterdays_statement() -> None:
    day = today_shanghai() - dt.timedelta(days=1)
    try:
        statement = services.statement_fetch_and_import(day=day, actor=None)
    except services.StatementAlreadyImported:
        logger.info("%s 对账单已导入过，内容未变", day.isoformat())
    except services.StatementRejected as exc:
        logger.error("%s 银行对账单未通过校验，未导入：%s", day.isoformat(), "；".join(exc.problems))
    except BankUnavailable as exc:
        logger.warning(
            "%s 对账单获取失败，请稍后手工执行 gjj reconcile-statement：%s", day.isoformat(), exc.message
        )
    else:
        logger.info(
            "%s 对账完成：%s 行，%s 项需核查", day.isoformat(), statement.line_count, statement.problem_count
        )


@db_periodic_task(crontab(hour="6", minute="30"))
def reconcile_yesterdays_statement() -> None:
    import_yesterdays_statement()
