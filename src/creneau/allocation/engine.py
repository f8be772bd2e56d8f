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

import gc
import heapq
from collections.abc import Iterable
from itertools import chain, compress, starmap
from operator import attrgetter

from .canonical import RequestTexts, _encode_str, instance_digest, needs_escape, result_body, sha256_hex
from .model import POLICY_VERSION, Assignment, Params, Request, Result, Slot
from .seed import hmac_states

_request_fields = attrgetter(
    "public_id",
    "priority",
    "batch_index",
    "procedure",
    "sites",
    "unavailable_dates",
    "step_free",
    "interpreter",
)
_slot_id = attrgetter("id")
_public_id = attrgetter("public_id")
_class_key = attrgetter("site", "local_date", "procedures", "step_free", "interpreter_languages")


def _check_unique(ids: list[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicates = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate {what} ids: {duplicates[:5]}")


def scan_requests(
    requests: list[Request], seed: bytes
) -> tuple[list[int], list[str], list[tuple[object, ...]], list[int], list[str]]:
    """One pass over the requests for everything the run needs from them.

    Returns (rank permutation, ids, type keys, request types in rank order, JSON texts):
    the permutation lists input positions sorted by (priority, batch_index,
    lottery_rank(seed, id), public_id); type keys are (procedure, sites, unavailable dates,
    step-free, interpreter), types numbered in rank order of their first request;
    `request_type[k]` is the type of the k-th request in rank order; JSON texts are the
    requests' canonical objects (canonical.RequestTexts), in input order.

    The rank key is one string of code points below 256 (priority and batch big-endian,
    then the raw HMAC, as Latin-1), then the id itself: its order equals that tuple's order
    (the first 38 characters have a fixed length, and strings compare by code point, as
    UTF-8 bytes do) and it sorts several times faster.
    """
    inner_copy, outer_copy = hmac_states(seed)  # HMAC-SHA256 written out: same digests, faster
    texts = RequestTexts()
    prefixes: dict[tuple[int, int], str] = {}
    shape_of: dict[tuple[object, ...], int] = {}
    shape_keys: list[tuple[object, ...]] = []
    shape_texts: list[tuple[str, str, str]] = []
    keys: list[str] = []
    ids = list(map(_public_id, requests))
    shapes: list[int] = []
    jsons: list[str] = []
    key_append, shape_append, json_append = keys.append, shapes.append, jsons.append
    encode_str = _encode_str
    # Ids that JSON leaves as they are (all of them, in practice) go into the text directly.
    plain = not needs_escape("".join(ids))
    for public_id, priority, batch, procedure, sites, unavailable, step_free, interpreter in map(
        _request_fields, requests
    ):
        prefix = prefixes.get((priority, batch))
        if prefix is None:
            packed = priority.to_bytes(2, "big") + batch.to_bytes(4, "big")
            prefix = prefixes[priority, batch] = packed.decode("latin-1")
        shape = (procedure, sites, unavailable, step_free, interpreter)
        k = shape_of.get(shape)
        if k is None:
            k = shape_of[shape] = len(shape_keys)
            shape_keys.append(shape)
            shape_texts.append(texts.shape(interpreter, procedure, sites, step_free, unavailable))
        t0, t1, t2 = shape_texts[k]
        encoded = public_id.encode("utf-8")
        inner = inner_copy()
        inner.update(encoded)
        outer = outer_copy()
        outer.update(inner.digest())
        key_append(prefix + outer.digest().decode("latin-1") + public_id)
        shape_append(k)
        text = public_id if plain else encode_str(public_id)[1:-1]
        json_append(f'{{"batch_index":{batch}{t0}{priority}{t1}"{text}"{t2}')
    perm = sorted(range(len(keys)), key=keys.__getitem__)
    del keys
    type_of_shape = [-1] * len(shape_keys)
    type_keys: list[tuple[object, ...]] = []
    request_type: list[int] = []
    append = request_type.append
    for k in map(shapes.__getitem__, perm):
        t = type_of_shape[k]
        if t < 0:
            t = type_of_shape[k] = len(type_keys)
            type_keys.append(shape_keys[k])
        append(t)
    return perm, ids, type_keys, request_type, jsons


class _Engine:
    """The compressed instance and the two phases. One object per `allocate` call.

    A *base* is (procedure, sites, step-free, interpreter); a request *type* is a base plus a
    set of unavailable dates, stored as the set of the base's classes those dates exclude.
    Class lists and sets are kept per base (a few thousand nationally), never per type.
    """

    def __init__(
        self, request_type: list[int], type_keys: list[tuple[object, ...]], slots: list[Slot], params: Params
    ) -> None:
        earliest = params.earliest_start
        instants: dict[object, float] = {}  # aware start -> POSIX time; few distinct starts

        def slot_order(s: Slot) -> tuple[float, str]:
            when = instants.get(s.start)
            if when is None:
                when = instants[s.start] = s.start.timestamp()
            return (when, s.id)

        self.slots = sorted((s for s in slots if s.start >= earliest), key=slot_order)
        # Slot classes, numbered in order of their earliest slot.
        class_of: dict[tuple[object, ...], int] = {}
        self.class_slots: list[list[int]] = []  # class -> global slot indices, earliest first
        self.class_date: list[object] = []
        self.class_step_free: list[bool] = []
        self.class_languages: list[frozenset[str]] = []
        by_site_procedure: dict[tuple[str, str], list[int]] = {}
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
        self.first = [members[0] for members in self.class_slots]
        # Request bases and types, numbered in rank order of their first request.
        base_of: dict[tuple[object, ...], int] = {}
        self.base_keys: list[tuple[object, ...]] = []
        self.type_base: list[int] = []
        self.type_unavailable: list[frozenset[object]] = []
        self.request_type = request_type
        for key in type_keys:
            base_key = (key[0], key[1], key[3], key[4])
            b = base_of.get(base_key)
            if b is None:
                b = base_of[base_key] = len(self.base_keys)
                self.base_keys.append(base_key)
            self.type_base.append(b)
            self.type_unavailable.append(key[2])  # type: ignore[arg-type]
        n_classes, n_bases = len(self.class_slots), len(self.base_keys)
        self.base_list: list[list[int] | None] = [None] * n_bases  # compatible classes, in order
        self.base_set: list[frozenset[int]] = [frozenset()] * n_bases
        self.base_by_date: list[dict[object, list[int]] | None] = [None] * n_bases
        self.excluded: list[frozenset[int] | None] = [None] * len(self.type_base)
        self.cap = [len(members) for members in self.class_slots]
        self.load = [0] * n_classes
        self.users: list[dict[int, int]] = [{} for _ in range(n_classes)]  # class -> {type: units}

    # -- compatibility ---------------------------------------------------------------------

    def prepare(self, t: int) -> bool:
        """Compute type t's compatible classes (once); False if it has none."""
        b = self.type_base[t]
        lst = self.base_list[b]
        if lst is None:
            procedure, sites, step_free, interpreter = self.base_keys[b]
            lst = []
            for site in sites:  # type: ignore[attr-defined]
                lst.extend(self.by_site_procedure.get((site, procedure), ()))  # type: ignore[arg-type]
            lst.sort()
            if step_free:
                class_step_free = self.class_step_free
                lst = [c for c in lst if class_step_free[c]]
            if interpreter is not None:
                class_languages = self.class_languages
                lst = [c for c in lst if interpreter in class_languages[c]]
            self.base_list[b] = lst
            self.base_set[b] = frozenset(lst)
        unavailable = self.type_unavailable[t]
        if not unavailable:
            self.excluded[t] = frozenset()
            return bool(lst)
        by_date = self.base_by_date[b]
        if by_date is None:
            by_date = {}
            for c in lst:
                by_date.setdefault(self.class_date[c], []).append(c)
            self.base_by_date[b] = by_date
        get = by_date.get
        excluded = frozenset(chain.from_iterable([get(d, ()) for d in unavailable]))
        self.excluded[t] = excluded
        return len(excluded) < len(lst)

    # -- phase 1: who is served ------------------------------------------------------------

    def served_set(self) -> list[int]:
        """Positions (in rank order) of the served requests: the greedy matroid basis."""
        cap, load, users = self.cap, self.load, self.users
        base_list, base_set = self.base_list, self.base_set
        type_base, excluded = self.type_base, self.excluded
        n_types = len(type_base)
        # Classes before a cursor are full; full stays full in phase 1 (loads never decrease).
        base_cursor = [0] * len(base_list)
        type_cursor = [0] * n_types
        dead_type = bytearray(n_types)
        dead: set[int] = set()

        def first_free(t: int) -> int:
            b = type_base[t]
            lst = base_list[b]
            assert lst is not None
            n = len(lst)
            i = base_cursor[b]
            while i < n and load[lst[i]] >= cap[lst[i]]:
                i += 1
            base_cursor[b] = i
            ex = excluded[t]
            if not ex:
                return lst[i] if i < n else -1
            j = max(i, type_cursor[t])
            while j < n and (lst[j] in ex or load[lst[j]] >= cap[lst[j]]):
                j += 1
            type_cursor[t] = j
            return lst[j] if j < n else -1

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
            visited: set[int] = set()
            entered: dict[int, int] = {}  # class -> type whose unit would move into it
            reached_via: dict[int, int] = {root: -1}  # type -> class holding the unit that moves
            queue = [root]
            closed: set[int] = set()  # bases expanded by a type without exclusions
            for tt in queue:
                b = type_base[tt]
                if b in closed:
                    continue  # its classes are all visited already (dead is fixed meanwhile)
                ex = excluded[tt]
                assert ex is not None
                # One operand at a time: `a - b` walks the smaller of the two, whereas
                # `a.difference(b, c, d)` walks all of b, c and d (dead grows large).
                new = base_set[b] - dead - visited
                if ex:
                    new = new - ex
                else:
                    closed.add(b)
                visited.update(new)
                for c in new:
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
            dead.update(visited)
            for tt in queue:
                dead_type[tt] = 1
            return False

        served: list[int] = []
        capacity = len(self.slots)
        prepare = self.prepare
        for position, t in enumerate(self.request_type):
            if len(served) == capacity:
                break
            if dead_type[t]:
                continue
            if excluded[t] is None and not prepare(t):
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
        users, load, class_slots, first = self.users, self.load, self.class_slots, self.first
        base_list, base_set = self.base_list, self.base_set
        type_base, excluded = self.type_base, self.excluded
        remaining = list(self.cap)  # slots not yet handed out, per class
        head = [0] * len(remaining)  # index of each class's earliest remaining slot
        held: dict[int, dict[int, int]] = {}  # type -> {class: units}, mirror of users
        for c, u in enumerate(users):
            for t, k in u.items():
                held.setdefault(t, {})[c] = k
        spare = {c for c in range(len(remaining)) if load[c] < remaining[c]}  # classes with room
        still_to_serve: dict[int, int] = {}
        request_type = self.request_type
        for position in served:
            t = request_type[position]
            still_to_serve[t] = still_to_serve.get(t, 0) + 1

        def add(t: int, c: int) -> None:
            u = users[c]
            u[t] = u.get(t, 0) + 1
            h = held[t]
            h[c] = h.get(c, 0) + 1
            load[c] += 1
            if load[c] >= remaining[c]:
                spare.discard(c)

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
            if load[c] < remaining[c]:
                spare.add(c)

        def take(t: int, c: int, banned: set[int]) -> bool:
            """Can a request of type t take a slot of class c and leave a complete matching?

            If so, reroute the flow so that the request's unit leaves the matching and one
            unit of capacity of c is free for it; otherwise add the tight set found to banned.
            """
            if t in users[c]:
                remove(t, c)
                return True
            mine = held[t]
            if load[c] < remaining[c]:
                remove(t, min(mine))
                return True
            visited = {c}
            via: dict[int, tuple[int, int]] = {}  # class -> (type moving in, class it leaves)
            seen_types: set[int] = set()
            # Bases fully expanded without exclusions and with no end: every other type of
            # such a base has no end either and reaches nothing new, so it is skipped.
            closed: set[int] = set()
            queue = [c]
            for x in queue:
                for t2 in users[x]:
                    if t2 in seen_types:
                        continue
                    seen_types.add(t2)
                    b2 = type_base[t2]
                    if b2 in closed:
                        continue
                    reach = base_set[b2]
                    ex = excluded[t2]
                    assert ex is not None
                    ends = reach.intersection(mine)  # classes holding a unit of t: swap with it
                    if not ends:
                        ends = reach.intersection(spare)  # or a class with room
                    if ex:
                        ends = ends - ex
                    if ends:
                        y = min(ends)
                        if t in users[y]:
                            remove(t, y)
                        else:
                            remove(t, min(mine))
                        via[y] = (t2, x)
                        z = y
                        while z != c:
                            mover, px = via[z]
                            add(mover, z)
                            remove(mover, px)
                            z = px
                        return True
                    new = reach - visited
                    if ex:
                        new = new - ex
                    else:
                        closed.add(b2)
                    visited.update(new)
                    step = (t2, x)
                    for y in new:
                        via[y] = step
                    queue.extend(new)
            banned.update(visited)
            return False

        states: dict[int, tuple[list[int], list[tuple[int, int]], set[int]]] = {}
        base_done = [0] * len(base_list)  # per base: classes before it are all handed out
        heappush, heappop, heapreplace = heapq.heappush, heapq.heappop, heapq.heapreplace
        out: list[tuple[int, int]] = []
        for position in served:
            t = request_type[position]
            state = states.get(t)
            if state is None:
                state = states[t] = ([0], [], set())
            scan, heap, banned = state
            b = type_base[t]
            lst = base_list[b]
            ex = excluded[t]
            assert lst is not None
            assert ex is not None
            n = len(lst)
            done = base_done[b]
            while done < n and not remaining[lst[done]]:
                done += 1
            base_done[b] = done
            idx = max(scan[0], done)
            # Lazy merge: classes are listed by their first slot, and a class's current
            # earliest slot is never before its first, so the heap's top is the earliest
            # candidate once it starts before the next class not yet scanned.
            while True:
                while heap:
                    g, c = heap[0]
                    if not remaining[c] or c in banned:
                        heappop(heap)
                        continue
                    current = class_slots[c][head[c]]
                    if g != current:
                        heapreplace(heap, (current, c))
                        continue
                    break
                if idx < n and (not heap or heap[0][0] > first[lst[idx]]):
                    c = lst[idx]
                    idx += 1
                    if remaining[c] and c not in ex and c not in banned:
                        heappush(heap, (class_slots[c][head[c]], c))
                    continue
                g, c = heap[0]  # never empty: the type's own unit is always a feasible choice
                if take(t, c, banned):
                    break
                heappop(heap)
            scan[0] = idx
            out.append((position, g))
            head[c] += 1
            remaining[c] -= 1
            if remaining[c]:
                heapreplace(heap, (class_slots[c][head[c]], c))
            else:
                heappop(heap)
            if load[c] >= remaining[c]:
                spare.discard(c)
            left = still_to_serve[t] - 1
            if left:
                still_to_serve[t] = left
            else:
                del still_to_serve[t], states[t]
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
    # A run allocates millions of small acyclic objects; repeated full collections of the
    # cyclic garbage collector would cost a third of the time, so it is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _allocate(list(requests), list(slots), seed, params)
    finally:
        if collecting:
            gc.enable()


def _allocate(request_list: list[Request], slot_list: list[Slot], seed: bytes, params: Params) -> Result:
    for r in request_list:
        if not isinstance(r, Request):
            raise ValueError(f"expected a Request, got {type(r).__name__}")
    for s in slot_list:
        if not isinstance(s, Slot):
            raise ValueError(f"expected a Slot, got {type(s).__name__}")
    perm, ids, type_keys, request_type, jsons = scan_requests(request_list, seed)
    _check_unique(ids, "request")
    _check_unique([s.id for s in slot_list], "slot")
    input_digest = instance_digest(
        map(jsons.__getitem__, sorted(range(len(ids)), key=ids.__getitem__)),
        sorted(slot_list, key=_slot_id),
        seed,
        params,
    )
    del jsons
    order = tuple(map(ids.__getitem__, perm))
    del ids, perm
    engine = _Engine(request_type, type_keys, slot_list, params)
    served = engine.served_set()
    chosen = engine.assign(served)

    eligible = engine.slots
    triples = [(order[pos], eligible[g].id, pos) for pos, g in chosen]
    assignments = tuple(starmap(Assignment, triples))
    not_served = bytearray(b"\x01") * len(order)
    for pos in served:
        not_served[pos] = 0
    unserved = tuple(compress(order, not_served))
    counts = {
        "requests": len(order),
        "slots": len(slot_list),
        "eligible_slots": len(eligible),
        "served": len(assignments),
        "unserved": len(unserved),
    }
    body = result_body(
        order,
        triples,
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
