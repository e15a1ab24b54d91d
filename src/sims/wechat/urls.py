from django.urls import path

from sims.wechat import views

app_name = "wechat"
urlpatterns = [
    path("cgi-bin/token", views.token, name="token"),
    path("cgi-bin/menu/create", views.menu_create, name="menu_create"),
    path("cgi-bin/message/template/send", views.template_send, name="template_send"),
    path("_log", views.log, name="log"),
    path("_menu", views.menu, name="menu"),
    path("_expire_tokens", views.expire_tokens, name="expire_tokens"),
    path("_reset", views.reset, name="reset"),
    path("_server_config", views.server_config, name="server_config"),
    path("_followers", views.followers, name="followers"),
    path("mp/follow", views.follow, name="follow"),
]
