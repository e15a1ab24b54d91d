"""The hall's URLs plus views that fail in each way, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from gjj.urls import handler400, handler403, handler404, handler500  # noqa: F401
from gjj.urls import urlpatterns as hall_urlpatterns


def _raise(exception: Exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("fail/500/", _raise(RuntimeError("boom"))),
    path("m/fail/500/", _raise(RuntimeError("boom"))),
    path("fail/403/", _raise(PermissionDenied())),
    path("fail/400/", _raise(SuspiciousOperation("odd"))),
    *hall_urlpatterns,
]
