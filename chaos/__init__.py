"""`make chaos`: N complete 购房提取 through the production topology (gjj.fleet) while a driver SIGKILLs
a random hall instance or worker every few seconds and starts it again, and the bank simulator
answers 20 % of its calls with a fault (an error, a time-out after executing, a lost answer, a
duplicate delivery, a late result).

Afterwards it proves, from the hall's and the bank's own records: every application final or in a
consistent state (none lost, none stuck past the reconciler's limit), no application paid twice,
the ledger invariant, ``gjj check-applications`` and ``gjj audit-check`` clean, and today's
reconciliation with nothing unmatched. Its last line is
``chaos: <n> applications, <l> lost, <d> doubled, checks clean`` (or ``checks failed: <which>``).

Not imported by the hall: an operator's tool, beside ``bench/`` whose members and flow it uses.
"""
