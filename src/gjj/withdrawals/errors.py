from __future__ import annotations

from gjj.policy.evaluation import Evaluation


class ApplicationError(Exception):
    """A request the application cannot take in its present state; the message is for the member."""

    def __init__(self, message: str, *, field: str | None = None):
        self.message, self.field = message, field
        super().__init__(message)


class ApplicationRefused(ApplicationError):
    """The rules refused the application; every failed rule's reason is in ``evaluation``."""

    def __init__(self, evaluation: Evaluation, *, reason_short_name: str = "购房提取"):
        self.evaluation = evaluation
        reasons = "；".join(result.reason for result in evaluation.failures)
        super().__init__(f"不符合{reason_short_name}条件：{reasons}")
