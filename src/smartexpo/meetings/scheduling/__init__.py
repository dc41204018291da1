"""Meeting scheduling as pure Python and OR-Tools CP-SAT, with no Django: the instance, the
optimiser, the greedy baseline, the checker (docs/meeting-scheduling.md)."""

from .check import violations
from .greedy import greedy_solve
from .instance import Instance, Person, Placement, Request, Result
from .solve import solve
from .weights import request_weight

__all__ = [
    "Instance",
    "Person",
    "Placement",
    "Request",
    "Result",
    "greedy_solve",
    "request_weight",
    "solve",
    "violations",
]
