"""Running every rule over one set of facts."""

from __future__ import annotations

from dataclasses import dataclass

from gjj.core.money import fen_to_yuan
from gjj.policy.facts import MACHINE_SOURCES, EvaluationFacts
from gjj.policy.reasons import SUBJECT_HOUSE, reason_for
from gjj.policy.rules import RuleResult
from gjj.policy.schema import Policy


@dataclass(frozen=True)
class Evaluation:
    results: tuple[RuleResult, ...]
    max_amount_fen: int | None
    relation: str | None

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def machine_verified(self) -> bool:
        """Every rule was decided from a data source (registry, bank, the centre's records)."""
        return all(result.source in MACHINE_SOURCES for result in self.results)

    def result(self, rule: str) -> RuleResult:
        return next(r for r in self.results if r.rule == rule)

    def undecided_by(self, unavailable_sources: frozenset[str]) -> bool:
        """Refused only by rules whose outside system did not answer (EvaluationFacts.
        unavailable_sources): not a decision, asked again later it may pass. One failure that
        needed no missing answer makes the refusal certain."""
        return bool(self.failures) and all(r.source in unavailable_sources for r in self.failures)

    def as_json(self) -> dict[str, object]:
        """The `gjj evaluate` contract of DESIGN.md."""
        return {
            "eligible": self.eligible,
            "relation": self.relation,
            "max_amount": None if self.max_amount_fen is None else fen_to_yuan(self.max_amount_fen),
            "checks": [result.as_json() for result in self.results],
        }

    def results_json(self) -> list[dict[str, object]]:
        """For storage on an application: the contract's fields plus where each fact came from."""
        return [{**result.as_json(), "source": result.source} for result in self.results]


def evaluate(policy: Policy, facts: EvaluationFacts) -> Evaluation:
    """Every rule of the facts' withdrawal reason (gjj.policy.reasons), in its order."""
    reason = reason_for(facts.reason)
    return Evaluation(
        results=tuple(rule(policy, facts) for rule in reason.rules),
        max_amount_fen=reason.max_amount(policy, facts),
        relation=facts.house.relation if facts.house and reason.subject == SUBJECT_HOUSE else None,
    )
