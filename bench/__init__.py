"""`make bench`: the hall's benchmarks beside a bare-Django floor (docs/benchmarks.md and .json).

Not part of the hall: nothing under ``src/`` imports this package. Each part (P1–P5) is a module
with a ``run(...) -> PartResult`` function; ``bench.__main__`` starts what the parts need, runs
them in order and writes the report.
"""
