from gjj.staff.roles import StaffRole


def test_smoke(staff, sign_in, client, member_client):
    assert sign_in(client, staff[StaffRole.FINANCE]) == "/backoffice/payouts/"
    assert sign_in(client, staff[StaffRole.FINANCE]) == "/backoffice/payouts/"
    assert sign_in(client, staff["first_reviewer_2"]) == "/backoffice/queue/"
