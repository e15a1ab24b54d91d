"""Django's admin app with the 管理员-only site (loaded from INSTALLED_APPS: imports nothing else)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "gjj.backoffice.admin_site.StaffAdminSite"
