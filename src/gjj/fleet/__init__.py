"""`make prod`: the production topology on one machine, every process on loopback.

    member ──https──▶ nginx (Debian's; TLS with a local certificate, request ids, upstream retry
                       │      only where the request never reached an instance)
                       ├──▶ hall-1 ┐ gunicorn, gjj.settings.production, stateless:
                       └──▶ hall-2 ┘ sessions, cache, rate limits and locks in Redis and PostgreSQL
          worker-1, worker-2: Huey consumers on Redis (worker-1 alone runs the periodic scheduler)
          PostgreSQL (hall, govsso, sims databases) · Redis (one db number) · S3 (moto's server)
          govsso (the provincial SSO stand-in) · sims (registry, bank, SMS, WeChat stand-ins)

``gjj.fleet.topology`` says what runs and with which environment; ``gjj.fleet.files`` makes the
files it needs once (secrets under ``var/<name>/secrets.env``, the TLS certificate, nginx's
configuration); ``gjj.fleet.processes`` starts each process in a process group of its own and
records it in ``var/<name>/fleet.json``, so that ``make prod-down`` stops exactly those, and a
chaos run can SIGKILL one and start it again. docs/operations.md maps this onto several machines.
"""
