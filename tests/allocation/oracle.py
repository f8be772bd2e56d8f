"""An independent, slow, obviously-correct implementation of the policy, for comparison.

It shares nothing with the engine but the definitions in DESIGN.md §4: compatibility is
checked slot by slot, ranks are recomputed with `hmac`, and every "can these requests all
be seated?" question is answered by networkx's Hopcroft–Karp maximum matching.
"""

from __future__ import annotations

import hashlib
import hmac

import networkx as nx

from creneau.allocation import Params, Request, Slot


def compatible(r: Request, s: Slot, params: Params) -> bool:
    return (
        r.procedure in s.procedures
        and s.site in r.sites
        and s.local_date not in r.unavailable_dates
        and s.start >= params.now + params.min_notice
        and (not r.step_free or s.step_free)
        and (r.interpreter is None or r.interpreter in s.interpreter_languages)
    )


def rank_order(requests: list[Request], seed: bytes) -> list[Request]:
    def key(r: Request) -> tuple[int, int, str, str]:
        rank = hmac.new(seed, r.public_id.encode(), hashlib.sha256).hexdigest()
        return (r.priority, r.batch_index, rank, r.public_id)

    return sorted(requests, key=key)


def matchable(reqs: list[Request], slots: list[Slot], params: Params) -> bool:
    """Can every request in reqs get its own compatible slot among slots?"""
    if not reqs:
        return True
    graph = nx.Graph()
    left = [("r", r.public_id) for r in reqs]
    graph.add_nodes_from(left)
    graph.add_nodes_from(("s", s.id) for s in slots)
    for r in reqs:
        for s in slots:
            if compatible(r, s, params):
                graph.add_edge(("r", r.public_id), ("s", s.id))
    matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)
    return all(node in matching for node in left)


def greedy_basis(requests: list[Request], slots: list[Slot], seed: bytes, params: Params) -> list[Request]:
    """Served requests: each, in rank order, iff it can be seated with all those before it."""
    served: list[Request] = []
    for r in rank_order(requests, seed):
        if matchable([*served, r], slots, params):
            served.append(r)
    return served


def slots_by_definition(served: list[Request], slots: list[Slot], params: Params) -> dict[str, str]:
    """Each served request in order takes the earliest compatible slot leaving the rest seatable."""
    free = sorted(slots, key=lambda s: (s.start, s.id))
    chosen: dict[str, str] = {}
    for i, r in enumerate(served):
        for s in free:
            if compatible(r, s, params) and matchable(
                served[i + 1 :], [x for x in free if x is not s], params
            ):
                chosen[r.public_id] = s.id
                free.remove(s)
                break
        else:  # pragma: no cover - would mean `served` was not matchable
            raise AssertionError(f"no slot for served request {r.public_id}")
    return chosen


def maximum_matching_size(requests: list[Request], slots: list[Slot], params: Params) -> int:
    graph = nx.Graph()
    left = [("r", r.public_id) for r in requests]
    graph.add_nodes_from(left)
    graph.add_nodes_from(("s", s.id) for s in slots)
    for r in requests:
        for s in slots:
            if compatible(r, s, params):
                graph.add_edge(("r", r.public_id), ("s", s.id))
    return len(nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)) // 2
