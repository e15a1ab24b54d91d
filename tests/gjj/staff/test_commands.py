"""The staff commands: staff_create (prints the secret once), and the demo's load_demo_staff and
staff_otp_code, refused unless GJJ_DEMO_TOOLS is on."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from gjj.staff.roles import StaffRole, role_from_text, user_roles
from gjj.staff.services import base32_secret, staff_create, staff_totp_device, totp_now

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[3] / "data" / "demo-staff.json"
KEY = "3132333435363738393031323334353637383930"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_staff_create_prints_the_base32_secret_of_the_new_device():
    output = _run(
        "staff_create",
        "--username=fushen",
        "--name=王复审",
        "--role=复审",
        "--role=auditor",
        "--password=Staff-Pass-2026!",
    )
    user = get_user_model().objects.get(username="fushen")
    device = staff_totp_device(user=user)
    assert device is not None
    assert user_roles(user) == {StaffRole.SECOND_REVIEWER, StaffRole.AUDITOR}
    assert "已创建工作人员 fushen（复审、审计）" in output
    assert f"动态口令密钥（请录入身份验证器）：{base32_secret(device.key)}" in output
    assert "otpauth://totp/" in output


def test_staff_create_takes_a_given_key():
    output = _run(
        "staff_create",
        "--username=a",
        "--name=甲",
        "--role=admin",
        "--password=Staff-Pass-2026!",
        f"--totp-key={KEY}",
    )
    assert "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in output
    assert get_user_model().objects.get(username="a").is_superuser


def test_staff_create_names_an_unknown_role():
    with pytest.raises(CommandError, match="没有“出纳”这个岗位"):
        _run("staff_create", "--username=a", "--name=甲", "--role=出纳", "--password=Staff-Pass-2026!")
    assert not get_user_model().objects.filter(username="a").exists()


def test_staff_create_passes_on_the_service_refusal():
    _run("staff_create", "--username=a", "--name=甲", "--role=财务", "--password=Staff-Pass-2026!")
    with pytest.raises(CommandError, match="用户名“a”已被使用"):
        _run("staff_create", "--username=a", "--name=乙", "--role=财务", "--password=Staff-Pass-2026!")


def test_load_demo_staff_creates_the_accounts_of_the_file_once(settings):
    settings.GJJ_DEMO_TOOLS = True
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    entries = document["staff"]
    assert _run("load_demo_staff", str(DEMO_FILE)).strip() == f"演示工作人员：新建 {len(entries)} 个"
    for entry in entries:
        user = get_user_model().objects.get(username=entry["username"])
        assert user.first_name == entry["name"]
        assert user.check_password(document["password"])
        assert user_roles(user) == {role_from_text(text) for text in entry["roles"]}
        device = staff_totp_device(user=user)
        assert device is not None and device.key == entry["totp_key"]
    assert _run("load_demo_staff", str(DEMO_FILE)).strip() == "演示工作人员：新建 0 个"
    assert get_user_model().objects.count() == len(entries)


def test_load_demo_staff_skips_an_existing_username(settings):
    settings.GJJ_DEMO_TOOLS = True
    entries = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["staff"]
    first = entries[0]
    staff_create(
        username=first["username"], full_name="早已存在", roles=[StaffRole.FINANCE], password="x-Y-z-2026!"
    )
    output = _run("load_demo_staff", str(DEMO_FILE))
    assert output.strip() == f"演示工作人员：新建 {len(entries) - 1} 个"
    assert get_user_model().objects.get(username=first["username"]).first_name == "早已存在"


def test_load_demo_staff_is_refused_without_the_demo_tools(settings):
    settings.GJJ_DEMO_TOOLS = False
    with pytest.raises(CommandError, match="演示工具未启用"):
        _run("load_demo_staff", str(DEMO_FILE))
    assert not get_user_model().objects.exists()


def test_load_demo_staff_names_the_bad_entry(settings, tmp_path):
    settings.GJJ_DEMO_TOOLS = True
    bad = tmp_path / "staff.json"
    bad.write_text(
        json.dumps(
            {
                "password": "Demo@2026",
                "staff": [{"username": "x", "name": "某", "roles": ["出纳"], "totp_key": KEY}],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="x：没有“出纳”这个岗位"):
        _run("load_demo_staff", str(bad))


def test_staff_otp_code_prints_the_current_code(settings, monkeypatch):
    settings.GJJ_DEMO_TOOLS = True
    monkeypatch.setattr("django_otp.oath.time", lambda: 1111111109)  # one time step for both
    staff_create(
        username="cw", full_name="王财务", roles=[StaffRole.FINANCE], password="x-Y-z-2026!", totp_key_hex=KEY
    )
    assert _run("staff_otp_code", "cw").strip() == totp_now(KEY) == "081804"


def test_staff_otp_code_is_refused_without_the_demo_tools(settings):
    settings.GJJ_DEMO_TOOLS = False
    staff_create(username="cw", full_name="王财务", roles=[StaffRole.FINANCE], password="x-Y-z-2026!")
    with pytest.raises(CommandError, match="演示工具未启用") as refused:
        _run("staff_otp_code", "cw")
    assert not any(ch.isdigit() for ch in str(refused.value))


def test_staff_otp_code_knows_only_staff_with_a_device(settings):
    settings.GJJ_DEMO_TOOLS = True
    get_user_model().objects.create_user(username="member-1")
    for username in ("member-1", "nobody"):
        with pytest.raises(CommandError, match=f"没有名为“{username}”且绑定了动态口令的工作人员"):
            _run("staff_otp_code", username)
