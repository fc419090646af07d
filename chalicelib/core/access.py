"""Who may do what: the `Principal` behind a token and the named access rules.

Every route declares one rule (`chalicelib.http.declaration`); it is evaluated from
the principal and the path alone, before the body is read, so a caller who may
not use a route learns nothing from its validation. The domain receives the
principal and never checks roles of its own accord. Where a rule depends on the
stored thing itself (a nomination's unit), the rule names the `resource` and the HTTP
layer looks up its owning unit before the body is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from chalicelib.core.errors import Forbidden
from chalicelib.core.states import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: a machine token (`account_id` None) or a person's session.

    `token_id` is the machine token's id or the session's id; `name` the token's or the person's.
    `enrolment_only`: a staff person's session made with a password alone before any second
    factor was enrolled; it may only enrol one (routes whose rule has `enrolment=True`).
    """

    token_id: str
    role: Role
    unit_id: str | None
    name: str
    account_id: str | None = None
    enrolment_only: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEADER)

    @property
    def is_person(self) -> bool:
        return self.account_id is not None

    @property
    def actor(self) -> str:
        """Who did it, as audit events and reviewer scores name them: the person when signed in as
        one (all their sessions are one actor), else the machine token."""
        return f"account:{self.account_id}" if self.account_id else self.token_id

    @property
    def scope(self) -> str:
        """Whose namespace an Idempotency-Key lives in. A unit's people and its machine token share
        the unit's (a clerk's retry after signing in again, or through the unit's system, replays);
        a staff person's sessions share the person's."""
        if self.role == Role.UNIT:
            return f"unit:{self.unit_id}"
        return f"account:{self.account_id}" if self.account_id else f"token:{self.token_id}"

    def as_dict(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "role": self.role.value, "unit_id": self.unit_id, "name": self.name}


# Whether unit `unit_id` lies in the subtree of unit `ancestor_id` (itself included).
WithinTree = Callable[[str, str], bool]


@dataclass(frozen=True)
class Rule:
    """Roles that may use a route; for `unit` tokens, which unit in the path they must be."""

    name: str
    description: str                      # Vietnamese, shown in the OpenAPI document
    roles: frozenset[Role] = frozenset()
    unit_param: str | None = None         # path parameter a unit token must match
    subtree: bool = False                 # ... or lie below (a unit acts for its sub-units)
    public: bool = False                  # no token needed at all
    resource: str | None = None           # ... or the unit owning this kind of stored thing must match
    person: bool = False                  # a person's session only (machine tokens are refused)
    enrolment: bool = False               # an enrolment-only session may use it too
    denied: str = "Bạn không có quyền thực hiện thao tác này."

    def allows(self, who: Principal | None, params: Mapping[str, str], within: WithinTree | None = None,
               owner: str | None = None) -> bool:
        """`owner`: for a `resource` rule, the unit that owns the thing the path names."""
        if self.public:
            return True
        if who is None or who.role not in self.roles:
            return False
        if (self.person and not who.is_person) or (who.enrolment_only and not self.enrolment):
            return False
        if who.role != Role.UNIT or (self.unit_param is None and self.resource is None):
            return True
        target = owner if self.resource else params.get(self.unit_param or "", "")
        if target is None:
            return False
        if target == who.unit_id:
            return True
        return bool(self.subtree and within and who.unit_id and within(target, who.unit_id))

    def check(self, who: Principal | None, params: Mapping[str, str], within: WithinTree | None = None,
              owner: str | None = None) -> None:
        if not self.allows(who, params, within, owner):
            if who is not None and who.enrolment_only and not self.enrolment:
                raise Forbidden("Tài khoản cán bộ phải thiết lập xác thực hai lớp (ứng dụng xác thực hoặc khóa "
                                "truy cập) trước khi sử dụng hệ thống; sau đó hãy đăng nhập lại.",
                                reason="second_factor_enrolment_required")
            raise Forbidden(self.denied)

    @property
    def may_refuse(self) -> bool:
        """Whether a valid credential can still be refused (403) by this rule."""
        return (self.roles != ALL_ROLES or bool(self.unit_param or self.resource) or self.person
                or not self.enrolment)


ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.ADMIN, Role.LEADER})

PUBLIC = Rule("public", "Không cần mã truy cập.", public=True)
SIGNED_IN = Rule("signed_in", "Mọi mã truy cập hợp lệ.", ALL_ROLES)
SELF = Rule("self", "Mọi mã truy cập hoặc phiên đăng nhập hợp lệ, kể cả phiên chỉ để thiết lập xác thực hai lớp.",
            ALL_ROLES, enrolment=True)
PERSON = Rule("person", "Người dùng đã đăng nhập (phiên đăng nhập, kể cả phiên chỉ để thiết lập xác thực hai lớp); "
              "không dùng mã truy cập máy.", ALL_ROLES, person=True, enrolment=True,
              denied="Chỉ người dùng đăng nhập bằng tài khoản cá nhân được thực hiện thao tác này.")
ADMIN = Rule("admin", "Chỉ quản trị (admin).", frozenset({Role.ADMIN}),
             denied="Chỉ cán bộ quản trị (admin) được thực hiện thao tác này.")
STAFF = Rule("staff", "Quản trị và lãnh đạo.", STAFF_ROLES,
             denied="Chỉ cán bộ quản trị hoặc lãnh đạo được xem nội dung này.")
OWN_UNIT_READ = Rule("own_unit_read", "Đơn vị của chính mình; quản trị và lãnh đạo: mọi đơn vị.", ALL_ROLES,
                     unit_param="unit_id", denied="Đơn vị chỉ được xem và gửi báo cáo của chính mình.")
OWN_UNIT_WRITE = Rule("own_unit_write", "Đơn vị của chính mình; quản trị: mọi đơn vị.",
                      frozenset({Role.UNIT, Role.ADMIN}), unit_param="unit_id",
                      denied="Đơn vị chỉ được xem và gửi báo cáo của chính mình.")

OWN_SUBTREE_READ = Rule("own_subtree_read", "Đơn vị của chính mình và đơn vị cấp dưới; quản trị và lãnh đạo: mọi đơn vị.",
                        ALL_ROLES, unit_param="unit_id", subtree=True,
                        denied="Đơn vị chỉ được xem đề nghị của mình và của đơn vị cấp dưới.")
OWN_SUBTREE_WRITE = Rule("own_subtree_write", "Đơn vị của chính mình và đơn vị cấp dưới; quản trị: mọi đơn vị.",
                         frozenset({Role.UNIT, Role.ADMIN}), unit_param="unit_id", subtree=True,
                         denied="Đơn vị chỉ được đề nghị khen thưởng cho mình và cho đơn vị cấp dưới.")

SUBTREE_REPORTS_READ = Rule("subtree_reports_read",
                            "Đơn vị của chính mình và đơn vị cấp dưới; quản trị và lãnh đạo: mọi đơn vị.",
                            ALL_ROLES, unit_param="unit_id", subtree=True,
                            denied="Đơn vị chỉ được xem báo cáo của mình và của đơn vị cấp dưới.")
SUBTREE_REPORTS_WRITE = Rule("subtree_reports_write", "Đơn vị của chính mình và đơn vị cấp dưới; quản trị: mọi đơn vị.",
                             frozenset({Role.UNIT, Role.ADMIN}), unit_param="unit_id", subtree=True,
                             denied="Đơn vị chỉ được nhập báo cáo của mình và của đơn vị cấp dưới.")

NOMINATION_READ = Rule("nomination_read", "Đơn vị đề nghị và đơn vị cấp trên của nó; quản trị và lãnh đạo.",
                       ALL_ROLES, resource="nomination", subtree=True,
                       denied="Đơn vị chỉ được xem đề nghị của mình và của đơn vị cấp dưới.")
NOMINATION_WRITE = Rule("nomination_write", "Đơn vị đề nghị và đơn vị cấp trên của nó; quản trị.",
                        frozenset({Role.UNIT, Role.ADMIN}), resource="nomination", subtree=True,
                        denied="Chỉ đơn vị đề nghị (hoặc quản trị) được sửa đề nghị này.")

RULES = {r.name: r for r in (PUBLIC, SIGNED_IN, SELF, PERSON, ADMIN, STAFF, OWN_UNIT_READ, OWN_UNIT_WRITE,
                             OWN_SUBTREE_READ, OWN_SUBTREE_WRITE, NOMINATION_READ, NOMINATION_WRITE,
                             SUBTREE_REPORTS_READ, SUBTREE_REPORTS_WRITE)}

