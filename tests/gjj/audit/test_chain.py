"""The hash chain: an intact log passes; a changed, removed or last-removed entry is named."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from gjj.audit.hashing import GENESIS_HASH
from gjj.audit.models import AuditAction, AuditEntry, AuditHead
from gjj.audit.selectors import audit_chain_check
from gjj.audit.services import audit_record
from gjj.cli import main as gjj_main
from tests.gjj.audit.conftest import as_dba

pytestmark = pytest.mark.django_db


def messages() -> list[str]:
    return [problem.message for problem in audit_chain_check()]


def test_an_intact_chain_passes_and_links_every_entry(chain):
    assert [entry.seq for entry in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))
    head = AuditHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (5, chain[-1].hash)
    assert audit_chain_check() == []


def test_an_empty_log_passes():
    assert audit_chain_check() == []


def test_a_summary_changed_through_raw_sql_is_named(chain):
    as_dba("UPDATE {table} SET summary = %s WHERE seq = %s", ["审核通过提取申请 TQ20261127000002", 4])
    assert messages() == ["第 4 条审计记录的内容被修改（哈希不符）"]


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(chain):
    original = AuditEntry.objects.get(seq=3)
    original.summary = "查看提取申请 TQ20261127000009"
    from gjj.audit.hashing import entry_hash

    forged = entry_hash(prev_hash=original.prev_hash, fields=original.hashed_fields())
    as_dba("UPDATE {table} SET summary = %s, hash = %s WHERE seq = 3", [original.summary, forged])
    problems = messages()
    assert len(problems) == 1
    assert problems[0].startswith("第 4 条审计记录与第 3 条衔接不上")


def test_a_deleted_middle_entry_is_named(chain):
    as_dba("DELETE FROM {table} WHERE seq = %s", [3])
    assert messages() == ["第 3 条审计记录缺失（第 2 条之后是第 4 条）"]


def test_several_deleted_entries_are_named_as_a_range(chain):
    as_dba("DELETE FROM {table} WHERE seq IN (2, 3)")
    assert messages() == ["第 2–3 条审计记录缺失（第 1 条之后是第 4 条）"]


def test_a_deleted_first_entry_is_named(chain):
    as_dba("DELETE FROM {table} WHERE seq = 1")
    assert messages() == ["第 1 条审计记录缺失（记录从第 2 条开始）"]


def test_a_deleted_last_entry_is_detected_through_the_head(chain):
    as_dba("DELETE FROM {table} WHERE seq = 5")
    assert messages() == ["最后 1 条审计记录缺失：记录到第 4 条，链头为第 5 条"]


def test_a_head_moved_back_to_hide_the_deleted_tail_still_fails(chain):
    # The DBA deletes the last entry and winds the head back, but not to the right hash.
    as_dba("DELETE FROM {table} WHERE seq = 5")
    as_dba("UPDATE audit_audithead SET last_seq = 4 WHERE id = 1")
    assert messages() == ["审计链头的哈希与第 4 条审计记录不符"]


def test_the_command_reports_an_intact_log_and_exits_zero(chain, capsys):
    call_command("audit_check")
    assert capsys.readouterr().out.strip() == "审计日志完整：共 5 条，哈希链校验通过"


def test_the_command_lists_every_problem_and_exits_one(chain, capsys):
    as_dba("UPDATE {table} SET summary = %s WHERE seq = 2", ["改过的摘要"])
    as_dba("DELETE FROM {table} WHERE seq = 5")
    with pytest.raises(CommandError) as raised:
        call_command("audit_check")
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert "第 2 条审计记录的内容被修改（哈希不符）" in err
    assert "最后 1 条审计记录缺失：记录到第 4 条，链头为第 5 条" in err

    # Through the gjj CLI, as an operator or cron runs it: a non-zero exit status.
    with pytest.raises(SystemExit) as exited:
        gjj_main(["gjj", "audit-check"])
    assert exited.value.code == 1
    assert "第 2 条审计记录的内容被修改" in capsys.readouterr().err


def test_the_cli_exits_zero_on_an_intact_log(chain, capsys):
    gjj_main(["gjj", "audit-check"])  # returns normally: exit status 0
    assert capsys.readouterr().out.strip() == "审计日志完整：共 5 条，哈希链校验通过"


def test_an_entry_in_a_rolled_back_transaction_leaves_no_trace_and_no_gap(chain):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        audit_record(action=AuditAction.APPLICATION_REJECT, summary="不予通过 TQ20261127000002")
        raise Refused
    assert AuditEntry.objects.count() == 5
    assert AuditHead.objects.get(pk=1).last_seq == 5

    after = audit_record(action=AuditAction.STAFF_LOGIN, summary="再次登录后台")
    assert after.seq == 6
    assert after.prev_hash == chain[-1].hash
    assert audit_chain_check() == []


def test_the_check_reads_in_batches(chain):
    # A batch smaller than the log: the walk must carry the link across batch boundaries.
    assert audit_chain_check(batch_size=2) == []
    as_dba("DELETE FROM {table} WHERE seq = 3")
    assert [p.message for p in audit_chain_check(batch_size=2)] == [
        "第 3 条审计记录缺失（第 2 条之后是第 4 条）"
    ]
