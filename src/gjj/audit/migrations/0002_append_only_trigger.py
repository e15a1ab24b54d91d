"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit entries (and DELETE of the
chain's head), whatever role the application connects as. TRUNCATE stays possible: the test
suite's flush between tests uses it. SQLite gets no trigger, because its flush uses DELETE."""

from __future__ import annotations

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（表 %，操作 %）', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE PROCEDURE audit_refuse_change();

DROP TRIGGER IF EXISTS audit_audithead_keep ON audit_audithead;
CREATE TRIGGER audit_audithead_keep
    BEFORE DELETE ON audit_audithead
    FOR EACH ROW EXECUTE PROCEDURE audit_refuse_change();
"""

DROP = r"""
DROP TRIGGER IF EXISTS audit_audithead_keep ON audit_audithead;
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the % in RAISE must reach PL/pgSQL as written.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
