import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../api/client";
import type { Account, Problem, Role } from "../api/types";
import type { components } from "../api/schema";
import { dateTime } from "../lib/format";
import { Field, Heading, Loading, Notice, ROLE_TEXT } from "../ui";

type Unit = components["schemas"]["Unit"];
const STATUS: Record<string, string> = { invited: "Đã mời, chưa đặt mật khẩu", active: "Đang hoạt động", disabled: "Đã vô hiệu hóa" };
const collator = new Intl.Collator("vi");

export default function Accounts() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const load = () =>
    api.GET("/v1/accounts", {}).then(
      ({ data, error: e, response }) => (data ? setAccounts(data.items) : setError(describe(asProblem(e, response)))),
      () => setError("Không kết nối được máy chủ."),
    );

  useEffect(() => {
    void load();
    api.GET("/v1/units", { params: { query: { limit: 100 } } }).then(
      ({ data }) => setUnits([...(data?.items ?? [])].sort((a, b) => collator.compare(a.name, b.name))), () => undefined);
  }, []);

  const unitName = (id: string | null) => (id ? units.find((u) => u.id === id)?.name ?? id : "—");

  async function act(a: Account, what: "disable" | "enable" | "resend") {
    setMessage(null);
    try {
      const r = what === "resend"
        ? await api.POST("/v1/accounts/{account_id}/invitation", { params: { path: { account_id: a.id } } })
        : await api.PATCH("/v1/accounts/{account_id}", {
          params: { path: { account_id: a.id } }, body: { status: what === "disable" ? "disabled" : "active" },
        });
      if (r.response.ok) {
        setMessage({ kind: "ok", text: what === "resend" ? `Đã gửi lại lời mời tới ${a.email}.`
          : what === "disable" ? `Đã vô hiệu hóa tài khoản ${a.name}.` : `Đã kích hoạt lại tài khoản ${a.name}.` });
        void load();
      } else {
        setMessage({ kind: "error", text: describe(asProblem(r.error, r.response)) });
      }
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    }
  }

  return (
    <section>
      <Heading>Tài khoản người dùng</Heading>
      <p class="lead">Mời cán bộ của đơn vị và của văn phòng.</p>
      <Invite units={units} onInvited={() => void load()} />
      <h2>Danh sách tài khoản</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {!accounts && !error && <Loading />}
      {accounts && (
        <table class="rows">
          <thead><tr><th scope="col">Họ và tên</th><th scope="col">Thư điện tử</th><th scope="col">Vai trò</th><th scope="col">Đơn vị</th><th scope="col">Trạng thái</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr></thead>
          <tbody>
            {[...accounts].sort((a, b) => collator.compare(a.name, b.name)).map((a) => (
              <tr key={a.id}>
                <th scope="row" data-label="Họ và tên">{a.name}</th>
                <td data-label="Thư điện tử">{a.email}</td>
                <td data-label="Vai trò">{ROLE_TEXT[a.role] ?? a.role}</td>
                <td data-label="Đơn vị">{unitName(a.unit_id)}</td>
                <td data-label="Trạng thái">{STATUS[a.status] ?? a.status}
                  {a.last_sign_in_at && <span class="note">Đăng nhập lần cuối: {dateTime(a.last_sign_in_at)}</span>}</td>
                <td class="row-actions">
                  {a.status !== "disabled" && (
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
    </section>
  );
}

function Invite({ units, onInvited }: { units: Unit[]; onInvited: () => void }) {
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
    const local = [
      !name.trim() && { field: "name", message: "Nhập họ và tên." },
      !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim()) && { field: "email", message: "Nhập một địa chỉ thư điện tử hợp lệ." },
      role === "unit" && !unitId && { field: "unit_id", message: "Chọn đơn vị cho tài khoản đơn vị." },
    ].filter((x): x is { field: string; message: string } => !!x);
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
        setDone(`Đã gửi lời mời tới ${data.email}.`);
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
        <Field id="a-role" label="Vai trò" error={errs.role}>
          {(d) => (
            <select id="a-role" value={role} aria-describedby={d} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="unit">Đơn vị (cán bộ nhập báo cáo)</option>
              <option value="leader">Lãnh đạo (chấm điểm, nhận tài liệu)</option>
              <option value="admin">Quản trị (văn phòng thi đua)</option>
            </select>
          )}
        </Field>
        <Field id="a-unit" label="Đơn vị" error={errs.unit_id}
               hint={role === "unit" ? "Bắt buộc với tài khoản đơn vị." : "Không bắt buộc với lãnh đạo và quản trị."}>
          {(d, inv) => (
            <select id="a-unit" value={unitId} required={role === "unit"} aria-describedby={d} aria-invalid={inv}
                    onChange={(e) => setUnitId(e.currentTarget.value)}>
              <option value="">— Không chọn —</option>
              {units.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
          )}
        </Field>
      </div>
      {general && problem && <Notice kind="error">{describe(problem)}</Notice>}
      {done && <Notice kind="ok">{done}</Notice>}
      <div class="actions"><button type="submit" class="button" disabled={busy}>Gửi lời mời</button></div>
    </form>
  );
}
