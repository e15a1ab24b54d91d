from django.urls import path

from govsso.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("register/", views.register_choice, name="register"),
    path("register/legal-person/", views.register_legal_person, name="register-legal-person"),
    path("register/natural/", views.register_natural, name="register-natural"),
    path("register/natural/code/", views.register_natural_code, name="register-natural-code"),
    path("register/done/", views.register_done, name="register-done"),
    path("password/forgot/", views.password_forgot, name="password-forgot"),
    path(
        "password/forgot/legal-person/",
        views.password_forgot_legal_person,
        name="password-forgot-legal-person",
    ),
    path("password/forgot/natural/", views.password_forgot_natural, name="password-forgot-natural"),
    path("password/forgot/natural/reset/", views.password_forgot_reset, name="password-forgot-reset"),
    path("password/forgot/natural/code/", views.password_forgot_code, name="password-forgot-code"),
    path("password/forgot/done/", views.password_forgot_done, name="password-forgot-done"),
    path("help/", views.help_index, name="help"),
    path("help/register/", views.help_register, name="help-register"),
    path("help/password/", views.help_password, name="help-password"),
]
