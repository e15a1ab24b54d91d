"""Every few seconds, SIGKILL one hall instance or worker (chosen at random) and start it again."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from gjj.fleet.topology import Fleet


@dataclass
class Killer:
    fleet: Fleet
    targets: list[str]
    every_seconds: tuple[float, float] = (3.0, 6.0)
    seed: int = 15
    kills: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chaos-killer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()  # the table is the thread's until then
        # Whatever happened meanwhile, the fleet ends whole: the checks run against every process.
        for name in self.targets:
            if not self.fleet.alive(name):
                self.fleet.restart(name)

    def _run(self) -> None:
        rng = random.Random(self.seed)
        while not self._stop.wait(rng.uniform(*self.every_seconds)):
            name = rng.choice(self.targets)
            self.kills[name] += 1
            try:
                self.fleet.restart(name)  # SIGKILL to every process of its group, then started again
            except Exception as exc:  # reported; stop() starts it at the end if nothing did before
                self.problems.append(f"{name}: {exc}"[:500])
                time.sleep(1)
