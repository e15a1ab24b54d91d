"""Clients of the outside systems: one module per system, each one interface (a ``Protocol``), one
HTTP implementation and a ``get_*_client()`` factory that reads the settings at call time."""
