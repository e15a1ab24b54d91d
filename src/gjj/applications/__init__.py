"""The application layer under the member channels: what the desktop hall, the H5 (WeChat and the
APP) and the API share between the request and the services.

- ``forms``: what a form posts, read with gjj.withdrawals.inputs, the form's own checks and the
  services called in order, answered as ``FormErrors`` (one wording per problem);
- ``presenters``: the house echo, the material rows, the rule → field map, the labels and the
  result and detail contexts;
- ``account``: the member's account and ledger as the pages show them (masked);
- ``responses``: files answered alike on every channel (办理回执).

Nothing here renders a channel's own template or knows its URLs (its one template, the house echo, is
included by both); the channels import from here and
never from one another (tests/gjj/test_import_boundaries.py).
"""
