"""Two moves of the unit tree at once must never close a cycle (defect 10's race), on DynamoDB Local.

Each move reads the new parent's path to the root and refuses a cycle it can see; two moves at
the same instant (A under B, B under A) each see none. The move is therefore conditioned on that
path as read, in its own transaction: one of the two fails at commit.
"""

from __future__ import annotations

from helpers import seed_units, together

ROUNDS = 20


def test_defect_10_two_moves_at_once_never_close_a_cycle(api, admin_token, store) -> None:
    from chalicelib.units.service import ancestors

    outcomes = []
    for n in range(ROUNDS):
        a, b = f"doi-a-{n}", f"doi-b-{n}"
        seed_units(store, [(f"phong-{n}", f"Phòng {n}", None, "department"),
                           (a, f"Đội A {n}", f"phong-{n}", "other"), (b, f"Đội B {n}", f"phong-{n}", "other")])
        under_b, under_a = together(
            lambda: api.patch(f"/v1/units/{a}", token=admin_token, body={"parent_id": b}),
            lambda: api.patch(f"/v1/units/{b}", token=admin_token, body={"parent_id": a}))
        outcomes.append((under_b.status_code, under_a.status_code))
        assert not (under_b.status_code == 200 and under_a.status_code == 200), f"round {n}: a cycle was stored"
        assert {under_b.status_code, under_a.status_code} <= {200, 409, 422}, (under_b.body, under_a.body)
        for unit in (a, b):
            assert ancestors(store, unit)[-1] == f"phong-{n}", f"round {n}: {unit} lost its way to the root"
    print(f"\ndefect 10 (moves), {ROUNDS} rounds: {sorted(set(outcomes))}")
