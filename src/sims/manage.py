#!/usr/bin/env python
"""The simulator's manage.py; the same as ``python -m sims``."""

from sims.__main__ import main

if __name__ == "__main__":
    main()
