/** Tài khoản (#/tai-khoan): invite people, change their name, role and unit, disable, re-enable, resend. */
import { MoreButton } from "../components/MoreButton";
import { useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../api/client";
import type { Account, Problem, Role } from "../api/types";
import { Dialog } from "../components/Dialog";
import { usePages } from "../components/pages";
import { UnitSelect, useUnitNames } from "../components/units";
import { dateTime } from "../lib/format";
import { Field, Heading, Loading, Notice, ROLE_TEXT, useWho } from "../ui";
import "./units/people.css";

const STATUS: Record<string, string> = { invited: "Đã mời, chưa đặt mật khẩu", active: "Đang hoạt động", disabled: "Đã vô hiệu hóa" };
const PAGE = 50;
const collator = new Intl.Collator("vi");
const OFFLINE = "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";

type Message = { kind: "ok" | "error"; text: string };

export default function Accounts() {
  const who = useWho();
  const [filter, setFilter] = useState("");
  const [message, setMessage] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Account | null>(null);
  const list = usePages(
    (cursor) => api.GET("/v1/accounts", { params: { query: { unit_id: filter || undefined, limit: PAGE, cursor } } }),
    (body) => ({ items: body.items, next: body.next ?? null }), [filter]);
  const same = (a: Account, b: Account) => a.id === b.id;
  // Only the names of the units these accounts belong to (read 100 at a time), not every unit.
  const units = useUnitNames((list.items ?? []).map((a) => a.unit_id));

  async function act(a: Account, what: "disable" | "enable" | "resend") {
    setMessage(null);
    try {
      if (what === "resend") {
        const r = await api.POST("/v1/accounts/{account_id}/invitation", { params: { path: { account_id: a.id } } });
        setMessage(r.data ? { kind: "ok", text: `Đã gửi lại lời mời tới ${a.email}.` }
          : { kind: "error", text: describe(asProblem(r.error, r.response)) });
        return;
      }
      const r = await api.PATCH("/v1/accounts/{account_id}", {
        params: { path: { account_id: a.id } }, body: { status: what === "disable" ? "disabled" : "active" },
      });
      if (r.data) {
        list.replace(r.data, same);
        setMessage({ kind: "ok", text: what === "disable" ? `Đã vô hiệu hóa tài khoản ${a.name}; mọi phiên đăng nhập của tài khoản đã kết thúc.`
          : `Đã kích hoạt lại tài khoản ${a.name}.` });
      } else {
        setMessage({ kind: "error", text: describe(asProblem(r.error, r.response)) });
      }
    } catch {
      setMessage({ kind: "error", text: OFFLINE });
    }
  }

  return (
    <section>
      <Heading>Tài khoản người dùng</Heading>
      <p class="lead">Mời cán bộ của đơn vị và của văn phòng; đổi vai trò, đơn vị; vô hiệu hóa tài khoản không còn dùng.</p>
      <Invite onInvited={() => list.reload()} />
      <h2 id="accounts-title">Danh sách tài khoản</h2>
      <div class="filters">
        <Field id="a-filter" label="Lọc theo đơn vị">
          {(d) => <UnitSelect id="a-filter" value={filter} onChange={setFilter} empty="Tất cả đơn vị" describedBy={d} />}
        </Field>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {!list.items && !list.error && <Loading />}
      {list.items && !list.items.length && <p>{filter ? "Đơn vị này chưa có tài khoản nào." : "Chưa có tài khoản nào."}</p>}
      {list.items && list.items.length > 0 && (
        <table class="rows" aria-labelledby="accounts-title">
          <thead><tr><th scope="col">Họ và tên</th><th scope="col">Thư điện tử</th><th scope="col">Vai trò</th><th scope="col">Đơn vị</th><th scope="col">Trạng thái</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr></thead>
          <tbody>
            {[...list.items].sort((a, b) => collator.compare(a.name, b.name)).map((a) => (
              <tr key={a.id}>
                <th scope="row" data-label="Họ và tên">{a.name}</th>
                <td data-label="Thư điện tử" class="wrap">{a.email}</td>
                <td data-label="Vai trò">{ROLE_TEXT[a.role] ?? a.role}</td>
                <td data-label="Đơn vị">{a.unit_id ? units.name(a.unit_id) : "—"}</td>
                <td data-label="Trạng thái">{STATUS[a.status] ?? a.status}
                  {a.last_sign_in_at && <span class="note">Đăng nhập lần cuối: {dateTime(a.last_sign_in_at)}</span>}</td>
                <td class="row-actions">
                  <button type="button" class="button button--small button--secondary" onClick={() => {
                    setMessage(null);
                    setEditing(a);
                  }}>Sửa<span class="sr-only"> tài khoản {a.name}</span></button>
                  {a.status !== "disabled" && a.id !== who.account?.id && (
                    <button type="button" class="button button--small button--secondary" onClick={() => void act(a, "disable")}>
                      Vô hiệu hóa<span class="sr-only"> {a.name}</span>
                    </button>
                  )}
                  {a.status === "disabled" && (
                    <button type="button" class="button button--small button--secondary" onClick={() => void act(a, "enable")}>
                      Kích hoạt lại<span class="sr-only"> {a.name}</span>
                    </button>
                  )}
                  {a.status === "invited" && (
                    <button type="button" class="button button--small button--secondary" onClick={() => void act(a, "resend")}>
                      Gửi lại lời mời<span class="sr-only"> cho {a.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton list={list} />
      <Dialog title={editing ? `Sửa tài khoản: ${editing.name}` : "Sửa tài khoản"} open={editing !== null}
              onClose={() => setEditing(null)}>
        {editing && <EditAccount account={editing} onSaved={(a) => {
          setEditing(null);
          list.replace(a, same);
          setMessage({ kind: "ok", text: `Đã lưu tài khoản ${a.name}.` });
        }} />}
      </Dialog>
    </section>
  );
}

// -- the role and unit fields, shared by invite and edit -----------------------------------------

function RoleAndUnit({ prefix, role, unitId, setRole, setUnitId, errs }: {
  prefix: string; role: Role; unitId: string; setRole: (r: Role) => void; setUnitId: (u: string) => void;
  errs: Record<string, string>;
}) {
  return (
    <>
      <Field id={`${prefix}-role`} label="Vai trò" error={errs.role}>
        {(d) => (
          <select id={`${prefix}-role`} value={role} aria-describedby={d} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="unit">Đơn vị (cán bộ nhập báo cáo)</option>
            <option value="leader">Lãnh đạo (chấm điểm, nhận tài liệu)</option>
            <option value="admin">Quản trị (văn phòng thi đua)</option>
          </select>
        )}
      </Field>
      <Field id={`${prefix}-unit`} label="Đơn vị" error={errs.unit_id}
             hint={role === "unit" ? "Bắt buộc với tài khoản đơn vị." : "Không bắt buộc với lãnh đạo và quản trị (đơn vị công tác)."}>
        {(d) => <UnitSelect id={`${prefix}-unit`} value={unitId} onChange={setUnitId} empty="— Không chọn —" describedBy={d} />}
      </Field>
    </>
  );
}

function localErrors(name: string, role: Role, unitId: string, email?: string) {
  return [
    !name.trim() && { field: "name", message: "Nhập họ và tên." },
    email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim()) && { field: "email", message: "Nhập một địa chỉ thư điện tử hợp lệ." },
    role === "unit" && !unitId && { field: "unit_id", message: "Chọn đơn vị cho tài khoản đơn vị." },
  ].filter((x): x is { field: string; message: string } => !!x);
}

// -- invite ------------------------------------------------------------------------------------

function Invite({ onInvited }: { onInvited: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("unit");
  const [unitId, setUnitId] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(problem);

  async function invite(e: Event) {
    e.preventDefault();
    setDone(null);
    const local = localErrors(name, role, unitId, email);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/v1/accounts", {
        body: { name: name.trim(), email: email.trim(), role, unit_id: unitId || null },
      });
      if (data) {
        setDone(data.invitation.sent ? `Đã gửi lời mời tới ${data.email}.`
          : `Đã tạo tài khoản ${data.email} nhưng chưa gửi được thư mời; hãy bấm “Gửi lại lời mời”.`);
        setName("");
        setEmail("");
        onInvited();
      } else {
        const p = asProblem(error, response);
        setProblem(p.status === 409 ? { ...p, errors: [{ field: "email", message: "Thư điện tử này đã có tài khoản." }] } : p);
      }
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  const general = problem && !Object.keys(errs).length;
  return (
    <form class="card" onSubmit={invite} aria-labelledby="invite-title" noValidate>
      <h2 id="invite-title">Mời người dùng</h2>
      <div class="columns">
        <Field id="a-name" label="Họ và tên" error={errs.name}>
          {(d, inv) => <input id="a-name" required maxLength={200} autoComplete="off" value={name} aria-describedby={d}
                              aria-invalid={inv} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field id="a-email" label="Thư điện tử" error={errs.email}>
          {(d, inv) => <input id="a-email" type="email" required autoComplete="off" value={email} aria-describedby={d}
                              aria-invalid={inv} onInput={(e) => setEmail(e.currentTarget.value)} />}
        </Field>
        <RoleAndUnit prefix="a" role={role} unitId={unitId} setRole={setRole} setUnitId={setUnitId} errs={errs} />
      </div>
      {general && problem && <Notice kind="error">{describe(problem)}</Notice>}
      {done && <Notice kind="ok">{done}</Notice>}
      <div class="actions"><button type="submit" class="button" disabled={busy}>Gửi lời mời</button></div>
    </form>
  );
}

// -- edit --------------------------------------------------------------------------------------

function EditAccount({ account, onSaved }: { account: Account; onSaved: (a: Account) => void }) {
  const [name, setName] = useState(account.name);
  const [role, setRole] = useState<Role>(account.role);
  const [unitId, setUnitId] = useState(account.unit_id ?? "");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(problem);

  async function save(e: Event) {
    e.preventDefault();
    const local = localErrors(name, role, unitId);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    // Only what changed: `unit_id: null` clears a staff member's unit, so it is sent only when meant.
    const body: { name?: string; role?: Role; unit_id?: string | null } = {};
    if (name.trim() !== account.name) body.name = name.trim();
    if (role !== account.role) body.role = role;
    if ((unitId || null) !== (account.unit_id ?? null)) body.unit_id = unitId || null;
    if (!Object.keys(body).length) {
      onSaved(account);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.PATCH("/v1/accounts/{account_id}", {
        params: { path: { account_id: account.id } }, body,
      });
      if (data) onSaved(data);
      else setProblem(asProblem(error, response));
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label={`Sửa tài khoản ${account.name}`} noValidate>
      <p class="hint">Thư điện tử: {account.email}</p>
      <Field id="e-name" label="Họ và tên" error={errs.name}>
        {(d, inv) => <input id="e-name" maxLength={200} autoComplete="off" value={name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <RoleAndUnit prefix="e" role={role} unitId={unitId} setRole={setRole} setUnitId={setUnitId} errs={errs} />
      {problem && (problem.detail || !Object.keys(errs).length) && <Notice kind="error">{describe(problem)}</Notice>}
      <div class="actions"><button type="submit" class="button" disabled={busy}>Lưu tài khoản</button></div>
    </form>
  );
}
