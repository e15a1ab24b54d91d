from __future__ import annotations

from gjj.policy.evaluation import Evaluation


class ApplicationError(Exception):
    """A request the application cannot take in its present state; the message is for the member."""

    def __init__(self, message: str, *, field: str | None = None):
        self.message, self.field = message, field
        super().__init__(message)


class ApplicationNotEditable(ApplicationError):
    """The application left the draft states, as found under its row's lock: another tab or request
    submitted (or cancelled) it after this one read it."""


class OutsideSystemDidNotAnswer(ApplicationError):
    """The registry or the bank did not answer: nothing was decided or kept, and the same request may
    be sent again later (the API answers 503, so that an app retries by itself)."""


class ApplicationRefused(ApplicationError):
    """The rules refused the application; every failed rule's reason is in ``evaluation``."""

    def __init__(
        self, evaluation: Evaluation, *, reason_short_name: str = "购房提取", undecided: bool = False
    ):
        self.evaluation = evaluation
        # Only rules whose outside system did not answer failed (Evaluation.undecided_by): not a decision
        # on the member's case, so an app may ask again later by itself.
        self.undecided = undecided
        reasons = "；".join(result.reason for result in evaluation.failures)
        super().__init__(f"不符合{reason_short_name}条件：{reasons}")
