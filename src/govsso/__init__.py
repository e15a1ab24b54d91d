"""Stand-in for 辽宁政务服务网, the provincial government-service site: natural-person accounts
(and, later, the OpenID Connect provider the hall signs people in with). Its own Django project:
``python -m django <command> --settings=govsso.settings``."""
