"""The allocation engine: who is served, and which slot each served request gets.

Policy (DESIGN.md §4), exactly:

1. Requests are ordered by (priority, batch_index, lottery_rank, public_id).
2. Who is served: the greedy basis of the transversal matroid in that order: request i is
   served iff it can be matched together with all higher-ranked served requests.
3. Which slot: taking served requests in rank order, each gets the earliest (by start, then
   slot id) compatible slot that still leaves a complete matching for all the remaining
   served requests.

Algorithms are hand-written: no library offers lexicographically-optimal transversal-matroid
matching with this tie-breaking (max-flow/min-cost solvers find *a* maximum matching, not the
one the policy names, and lexicographic weights would need numbers with a million digits).
docs/allocation.md explains the algorithm and its complexity; in short:

* Slots are compressed into classes (site, local date, procedures, step-free,
  interpreter languages): all slots of a class are interchangeable for compatibility, so a
  class is one node with a capacity, and its slots are handed out earliest first.
* Requests are compressed into types (procedure, sites, unavailable dates, step-free,
  interpreter): a type is one node; flow from types to classes is a matching.
* Phase 1 (served set): one augmenting-path search per request, over the compressed
  residual graph. A search that fails proves that every class it reached is full and will
  stay full forever with the same requests (a Hall-tight set): those classes and types are
  marked dead, so failures cost amortised linear time in total, and once every slot is
  taken the remaining requests are unserved without search.
* Phase 2 (slots): served requests in rank order try their classes earliest head first; a
  class is acceptable iff, in the residual graph, it reaches a class holding a unit of the
  request's type or a class with spare capacity (then the flow is rerouted along that
  path). A class that fails is inside a tight set the request's type can never enter, so
  it is banned for that type for the rest of the run.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from operator import attrgetter

from .canonical import dump_instance, result_body, sha256_hex
from .model import POLICY_VERSION, Assignment, Params, Request, Result, Slot
from .seed import rank_digest_function

_type_key = attrgetter("procedure", "sites", "unavailable_dates", "step_free", "interpreter")
_class_key = attrgetter("site", "local_date", "procedures", "step_free", "interpreter_languages")


def _check_unique(ids: list[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicates = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate {what} ids: {duplicates[:5]}")


def rank_order(requests: list[Request], seed: bytes) -> list[Request]:
    """Requests sorted by (priority, batch_index, lottery_rank(seed, id), public_id).

    The key is one bytes string (priority and batch big-endian, then the raw HMAC, then the
    id in UTF-8); bytes order equals that tuple's order and sorts several times faster.
    """
    rank = rank_digest_function(seed)
    prefixes: dict[tuple[int, int], bytes] = {}
    keys = []
    for r in requests:
        prefix = prefixes.get((r.priority, r.batch_index))
        if prefix is None:
            prefix = r.priority.to_bytes(2, "big") + r.batch_index.to_bytes(4, "big")
            prefixes[r.priority, r.batch_index] = prefix
        encoded = r.public_id.encode("utf-8")
        keys.append(prefix + rank(encoded) + encoded)
    return [requests[i] for i in sorted(range(len(requests)), key=keys.__getitem__)]


class _Engine:
    """The compressed instance and the two phases. One object per `allocate` call."""

    def __init__(self, ranked: list[Request], slots: list[Slot], params: Params) -> None:
        earliest = params.earliest_start
        self.slots = sorted((s for s in slots if s.start >= earliest), key=attrgetter("start", "id"))
        # Slot classes, numbered in order of their earliest slot.
        class_of: dict[tuple[object, ...], int] = {}
        self.class_slots: list[list[int]] = []  # class -> global slot indices, earliest first
        self.class_date = []
        by_site_procedure: dict[tuple[str, str], list[int]] = {}
        self.class_step_free: list[bool] = []
        self.class_languages: list[frozenset[str]] = []
        for g, s in enumerate(self.slots):
            key = _class_key(s)
            c = class_of.get(key)
            if c is None:
                c = class_of[key] = len(self.class_slots)
                self.class_slots.append([])
                self.class_date.append(s.local_date)
                self.class_step_free.append(s.step_free)
                self.class_languages.append(s.interpreter_languages)
                for procedure in s.procedures:
                    by_site_procedure.setdefault((s.site, procedure), []).append(c)
            self.class_slots[c].append(g)
        self.by_site_procedure = by_site_procedure
        # Request types, numbered in rank order of their first request.
        type_of: dict[tuple[object, ...], int] = {}
        self.type_keys: list[tuple[object, ...]] = []
        self.request_type: list[int] = []
        append = self.request_type.append
        for r in ranked:
            key = _type_key(r)
            t = type_of.get(key)
            if t is None:
                t = type_of[key] = len(self.type_keys)
                self.type_keys.append(key)
            append(t)
        self._base_classes: dict[tuple[object, ...], list[int]] = {}
        n_classes = len(self.class_slots)
        self.cap = [len(members) for members in self.class_slots]
        self.load = [0] * n_classes
        self.users: list[dict[int, int]] = [{} for _ in range(n_classes)]  # class -> {type: units}
        self.neighbours: list[list[int] | None] = [None] * len(self.type_keys)  # type -> classes

    # -- compatibility ---------------------------------------------------------------------

    def classes_of(self, t: int) -> list[int]:
        """Compatible classes of type t, in class order (earliest first slot first)."""
        found = self.neighbours[t]
        if found is not None:
            return found
        procedure, sites, unavailable, step_free, interpreter = self.type_keys[t]
        base_key = (procedure, sites, step_free, interpreter)
        base = self._base_classes.get(base_key)
        if base is None:
            merged: list[int] = []
            for site in sites:  # type: ignore[attr-defined]
                merged.extend(self.by_site_procedure.get((site, procedure), ()))  # type: ignore[arg-type]
            merged.sort()
            if step_free:
                merged = [c for c in merged if self.class_step_free[c]]
            if interpreter is not None:
                merged = [c for c in merged if interpreter in self.class_languages[c]]
            base = self._base_classes[base_key] = merged
        if unavailable:
            dates = self.class_date
            found = [c for c in base if dates[c] not in unavailable]  # type: ignore[operator]
        else:
            found = base
        self.neighbours[t] = found
        return found

    # -- phase 1: who is served ------------------------------------------------------------

    def served_set(self) -> list[int]:
        """Positions (in rank order) of the served requests: the greedy matroid basis."""
        cap, load, users = self.cap, self.load, self.users
        n_types = len(self.type_keys)
        cursor = [0] * n_types  # per type: classes before it are full (full stays full in phase 1)
        dead_type = bytearray(n_types)
        dead_class = bytearray(len(cap))
        mark = [0] * len(cap)
        epoch = 0
        neighbours = self.neighbours
        classes_of = self.classes_of

        def first_free(t: int) -> int:
            lst = neighbours[t]
            assert lst is not None
            i, n = cursor[t], len(lst)
            while i < n and load[lst[i]] >= cap[lst[i]]:
                i += 1
            cursor[t] = i
            return lst[i] if i < n else -1

        def add(t: int, c: int) -> None:
            u = users[c]
            u[t] = u.get(t, 0) + 1

        def remove(t: int, c: int) -> None:
            u = users[c]
            k = u[t] - 1
            if k:
                u[t] = k
            else:
                del u[t]

        def augment(root: int) -> bool:
            """Breadth-first search for an augmenting path from a new unit of type `root`."""
            nonlocal epoch
            epoch += 1
            entered: dict[int, int] = {}  # class -> type whose unit would move into it
            reached_via: dict[int, int] = {root: -1}  # type -> class holding the unit that moves
            queue = [root]
            for tt in queue:
                lst = neighbours[tt]
                assert lst is not None
                for c in lst:
                    if mark[c] == epoch or dead_class[c]:
                        continue
                    mark[c] = epoch
                    entered[c] = tt
                    for t2 in users[c]:
                        if t2 in reached_via:
                            continue
                        reached_via[t2] = c
                        f = first_free(t2)
                        if f < 0:
                            queue.append(t2)
                            continue
                        remove(t2, c)
                        add(t2, f)
                        load[f] += 1
                        x = c
                        while True:
                            mover = entered[x]
                            add(mover, x)
                            px = reached_via[mover]
                            if px < 0:
                                return True
                            remove(mover, px)
                            x = px
            # Every class reached is full and only reachable types hold it: a tight set.
            for c in entered:
                dead_class[c] = 1
            for tt in queue:
                dead_type[tt] = 1
            return False

        served: list[int] = []
        capacity = len(self.slots)
        request_type = self.request_type
        for position, t in enumerate(request_type):
            if len(served) == capacity:
                break
            if dead_type[t]:
                continue
            if neighbours[t] is None and not classes_of(t):
                dead_type[t] = 1
                continue
            c = first_free(t)
            if c >= 0:
                load[c] += 1
                add(t, c)
                served.append(position)
            elif augment(t):
                served.append(position)
        return served

    # -- phase 2: which slot ---------------------------------------------------------------

    def assign(self, served: list[int]) -> list[tuple[int, int]]:
        """(position, global slot index) for each served request, in rank order."""
        users, load, neighbours, class_slots = self.users, self.load, self.neighbours, self.class_slots
        remaining = list(self.cap)  # slots not yet handed out, per class
        head = [0] * len(remaining)  # index of each class's earliest remaining slot
        held: dict[int, dict[int, int]] = {}  # type -> {class: units}, mirror of users
        for c, u in enumerate(users):
            for t, k in u.items():
                held.setdefault(t, {})[c] = k
        still_to_serve: dict[int, int] = {}
        request_type = self.request_type
        for position in served:
            t = request_type[position]
            still_to_serve[t] = still_to_serve.get(t, 0) + 1
        mark = [0] * len(remaining)
        epoch = 0

        def add(t: int, c: int) -> None:
            u = users[c]
            u[t] = u.get(t, 0) + 1
            h = held[t]
            h[c] = h.get(c, 0) + 1
            load[c] += 1

        def remove(t: int, c: int) -> None:
            u = users[c]
            k = u[t] - 1
            if k:
                u[t] = k
            else:
                del u[t]
            h = held[t]
            k = h[c] - 1
            if k:
                h[c] = k
            else:
                del h[c]
            load[c] -= 1

        def drop_one_unit(t: int) -> None:
            remove(t, next(iter(held[t])))

        def take(t: int, c: int, banned: set[int]) -> bool:
            """Can a request of type t take a slot of class c and leave a complete matching?

            If so, reroute the flow so that the request's unit leaves the matching and one
            unit of capacity of c is free for it; otherwise add the tight set found to banned.
            """
            nonlocal epoch
            if t in users[c]:
                remove(t, c)
                return True
            if load[c] < remaining[c]:
                drop_one_unit(t)
                return True
            epoch += 1
            mark[c] = epoch
            via: dict[int, tuple[int, int]] = {}  # class -> (type moving in, class it leaves)
            seen_types: set[int] = set()
            queue = [c]
            for x in queue:
                for t2 in users[x]:
                    if t2 in seen_types:
                        continue
                    seen_types.add(t2)
                    lst = neighbours[t2]
                    assert lst is not None
                    for y in lst:
                        if mark[y] == epoch or not remaining[y]:
                            continue
                        mark[y] = epoch
                        via[y] = (t2, x)
                        if t in users[y]:
                            remove(t, y)
                        elif load[y] < remaining[y]:
                            drop_one_unit(t)
                        else:
                            queue.append(y)
                            continue
                        z = y
                        while z != c:
                            mover, px = via[z]
                            add(mover, z)
                            remove(mover, px)
                            z = px
                        return True
            banned.update(queue)
            return False

        heaps: dict[int, list[tuple[int, int]]] = {}
        bans: dict[int, set[int]] = {}
        out: list[tuple[int, int]] = []
        for position in served:
            t = request_type[position]
            heap = heaps.get(t)
            if heap is None:
                lst = neighbours[t]
                assert lst is not None
                heap = [(class_slots[c][head[c]], c) for c in lst if remaining[c]]
                heapq.heapify(heap)
                heaps[t] = heap
                bans[t] = set()
            banned = bans[t]
            while True:
                g, c = heap[0]  # never empty: the type's own unit is always a feasible choice
                if not remaining[c] or c in banned:
                    heapq.heappop(heap)
                    continue
                current = class_slots[c][head[c]]
                if g != current:
                    heapq.heapreplace(heap, (current, c))
                    continue
                if take(t, c, banned):
                    break
                heapq.heappop(heap)
            out.append((position, g))
            head[c] += 1
            remaining[c] -= 1
            if remaining[c]:
                heapq.heapreplace(heap, (class_slots[c][head[c]], c))
            else:
                heapq.heappop(heap)
            left = still_to_serve[t] - 1
            if left:
                still_to_serve[t] = left
            else:
                del still_to_serve[t], heaps[t], bans[t]
        return out


def allocate(requests: Iterable[Request], slots: Iterable[Slot], seed: bytes, params: Params) -> Result:
    """Run the allocation policy on one batch; deterministic in its inputs, whatever their order."""
    if not isinstance(seed, bytes) or not seed:
        raise ValueError("seed must be non-empty bytes")
    if not isinstance(params, Params):
        raise ValueError("params must be a Params")
    if params.policy_version != POLICY_VERSION:
        raise ValueError(
            f"unsupported policy version {params.policy_version!r} (this engine: {POLICY_VERSION})"
        )
    request_list = list(requests)
    slot_list = list(slots)
    for r in request_list:
        if not isinstance(r, Request):
            raise ValueError(f"expected a Request, got {type(r).__name__}")
    for s in slot_list:
        if not isinstance(s, Slot):
            raise ValueError(f"expected a Slot, got {type(s).__name__}")
    _check_unique([r.public_id for r in request_list], "request")
    _check_unique([s.id for s in slot_list], "slot")

    ranked = rank_order(request_list, seed)
    engine = _Engine(ranked, slot_list, params)
    served = engine.served_set()
    chosen = engine.assign(served)

    eligible = engine.slots
    assignments = tuple(Assignment(ranked[pos].public_id, eligible[g].id, pos) for pos, g in chosen)
    served_flags = bytearray(len(ranked))
    for pos in served:
        served_flags[pos] = 1
    order = tuple(r.public_id for r in ranked)
    unserved = tuple(rid for rid, flag in zip(order, served_flags, strict=True) if not flag)
    counts = {
        "requests": len(ranked),
        "slots": len(slot_list),
        "eligible_slots": len(eligible),
        "served": len(assignments),
        "unserved": len(unserved),
    }
    input_digest = sha256_hex(dump_instance(request_list, slot_list, seed, params))
    body = result_body(
        order,
        [(a.request_id, a.slot_id, a.position) for a in assignments],
        unserved,
        input_digest,
        params.policy_version,
        counts,
    )
    return Result(
        assignments=assignments,
        order=order,
        unserved=unserved,
        input_digest=input_digest,
        output_digest=sha256_hex(body.encode("utf-8")),
        policy_version=params.policy_version,
        counts=counts,
    )
