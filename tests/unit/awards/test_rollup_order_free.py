"""The shortlist's roll-up of figures up the tree (no walk in name order) equals the summary's
`rolled_up` on any tree: deep, wide, with units whose parent is unknown, and with a stored cycle."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from chalicelib.awards.nominations import _rolled_up
from chalicelib.conferences.aggregate import rolled_up

CODES = ["people_traced", "officers_mobilised"]


@st.composite
def trees(draw):
    n = draw(st.integers(1, 40))
    ids = [f"u{i}" for i in range(n)]
    units = []
    for i, uid in enumerate(ids):
        choice = draw(st.integers(0, 10))
        if choice == 0:
            parent = None
        elif choice == 1:
            parent = "missing"  # a parent the tree does not hold: a root
        elif choice == 2 and draw(st.booleans()):
            parent = draw(st.sampled_from(ids))  # anywhere: may close a cycle
        else:
            parent = ids[draw(st.integers(0, i - 1))] if i else None
        units.append({"id": uid, "name": draw(st.sampled_from(["Ánh", "Bình", "An", "Đức", "Ê"])) + uid,
                      "parent_id": parent, "kind": "other"})
    own = {uid: {c: draw(st.one_of(st.none(), st.integers(0, 1000))) for c in CODES}
           for uid in ids if draw(st.booleans())}
    return units, own


@settings(max_examples=300, deadline=None)
@given(trees())
def test_the_roll_up_equals_the_summarys(tree):
    units, own = tree
    assert _rolled_up(units, own, CODES) == rolled_up(units, own, CODES)


def test_a_deep_chain_and_a_cycle():
    chain = [{"id": f"u{i}", "name": f"u{i}", "parent_id": f"u{i - 1}" if i else None, "kind": "other"}
             for i in range(3000)]
    own = {u["id"]: {"people_traced": 1, "officers_mobilised": None} for u in chain}
    assert _rolled_up(chain, own, CODES)["u0"]["people_traced"] == 3000
    cycle = [{"id": "a", "name": "a", "parent_id": "b", "kind": "other"},
             {"id": "b", "name": "b", "parent_id": "a", "kind": "other"}]
    assert _rolled_up(cycle, {"a": {"people_traced": 2}}, CODES) == rolled_up(cycle, {"a": {"people_traced": 2}}, CODES)
