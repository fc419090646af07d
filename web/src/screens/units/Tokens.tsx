/** Mã truy cập (#/ma-truy-cap): machine tokens for units' own systems and for staff tools; the secret
 * is shown once, the list never shows one, and a token is revoked after a confirmation. */
import { MoreButton } from "../../components/MoreButton";
import { useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { Problem } from "../../api/types";
import type { components } from "../../api/schema";
import { Dialog } from "../../components/Dialog";
import { usePages } from "../../components/pages";
import { UnitSelect, useUnitNames } from "../../components/units";
import { dateTime } from "../../lib/format";
import { Field, Heading, Loading, Notice, ROLE_TEXT } from "../../ui";
import { OFFLINE } from "./common";
import "./people.css";

type TokenInfo = components["schemas"]["TokenInfo"];
type Issued = components["schemas"]["IssuedToken"];
type Kind = "unit" | "admin" | "leader";

const PAGE = 50;
const KIND_TEXT: Record<Kind, string> = {
  unit: "Hệ thống của đơn vị (nộp báo cáo, đề nghị)",
  admin: "Công cụ của văn phòng (quản trị)",
  leader: "Công cụ của lãnh đạo",
};

export default function Tokens(_props: Record<string, never>) {
  const [issued, setIssued] = useState<Issued | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const list = usePages(
    (cursor) => api.GET("/v1/tokens", { params: { query: { limit: PAGE, cursor } } }),
    (body) => ({ items: body.items, next: body.next ?? null }), []);
  // Only the names of the units these tokens are for (read 100 at a time), not every unit.
  const units = useUnitNames([issued?.unit_id, ...(list.items ?? []).map((t) => t.unit_id)]);

  return (
    <section>
      <Heading>Mã truy cập</Heading>
      <p class="lead">Mã cho hệ thống riêng của đơn vị (gửi báo cáo qua API) và cho công cụ của văn phòng, lãnh đạo.
        Mã bí mật chỉ hiện một lần khi cấp; máy chủ chỉ lưu giá trị băm của mã.</p>
      {issued
        ? <Minted token={issued} unitName={units.name(issued.unit_id)} onDone={() => setIssued(null)} />
        : <Mint onIssued={(t) => {
            setMessage(null);
            setIssued(t);
            list.reload();
          }} />}
      <h2 id="tokens-title">Các mã đã cấp</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {!list.items && !list.error && <Loading />}
      {list.items && !list.items.length && <p>Chưa cấp mã truy cập nào.</p>}
      {list.items && list.items.length > 0 && (
        <table class="rows" aria-labelledby="tokens-title">
          <thead><tr><th scope="col">Tên mã</th><th scope="col">Dùng cho</th><th scope="col">Đơn vị</th><th scope="col">Cấp lúc</th><th scope="col">Trạng thái</th><th scope="col"><span class="sr-only">Thao tác</span></th></tr></thead>
          <tbody>
            {[...list.items].sort((a, b) => b.created_at.localeCompare(a.created_at)).map((t) => {
              const expired = !t.revoked_at && !!t.valid_until && Date.parse(t.valid_until) < Date.now();
              return (
                <tr key={t.id}>
                  <th scope="row" data-label="Tên mã">{t.name}<span class="note">Số hiệu: <code>{t.id}</code></span></th>
                  <td data-label="Dùng cho">{ROLE_TEXT[t.role] ?? t.role}</td>
                  <td data-label="Đơn vị">{t.unit_id ? units.name(t.unit_id) : "—"}</td>
                  <td data-label="Cấp lúc" class="nowrap">{dateTime(t.created_at)}</td>
                  <td data-label="Trạng thái">
                    {t.revoked_at ? `Đã thu hồi lúc ${dateTime(t.revoked_at)}`
                      : expired ? `Đã hết hạn (${dateTime(t.valid_until)})`
                        : <>Đang hiệu lực{t.valid_until && <span class="note">Đến {dateTime(t.valid_until)}</span>}</>}
                  </td>
                  <td class="row-actions">
                    {!t.revoked_at && (
                      <button type="button" class="button button--small button--secondary" onClick={() => {
                        setMessage(null);
                        setRevoking(t);
                      }}>Thu hồi<span class="sr-only"> mã {t.name}</span></button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <MoreButton list={list} />
      <Dialog title="Thu hồi mã truy cập" open={revoking !== null} onClose={() => setRevoking(null)}>
        {revoking && <Revoke token={revoking} onCancel={() => setRevoking(null)} onRevoked={(t) => {
          setRevoking(null);
          list.reload();  // the stored revocation time, not this browser's clock
          setMessage({ kind: "ok", text: `Đã thu hồi mã “${t.name}”: mã này không còn dùng được.` });
        }} />}
      </Dialog>
    </section>
  );
}

// -- mint --------------------------------------------------------------------------------------

function Mint({ onIssued }: { onIssued: (t: Issued) => void }) {
  const [kind, setKind] = useState<Kind>("unit");
  const [unitId, setUnitId] = useState("");
  const [name, setName] = useState("");
  const [days, setDays] = useState("365");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrors(problem);

  async function mint(e: Event) {
    e.preventDefault();
    const validDays = /^\d+$/.test(days.trim()) ? Number(days.trim()) : NaN;
    const local = [
      kind === "unit" && !unitId && { field: "unit_id", message: "Chọn đơn vị dùng mã này." },
      kind !== "unit" && !name.trim() && { field: "name", message: "Đặt tên cho mã (ví dụ: công cụ tổng hợp của văn phòng)." },
      !(validDays >= 1 && validDays <= 3650) && { field: "valid_days", message: "Số ngày hiệu lực từ 1 đến 3.650." },
    ].filter((x): x is { field: string; message: string } => !!x);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const r = kind === "unit"
        ? await api.POST("/v1/units/{unit_id}/tokens", {
          params: { path: { unit_id: unitId } }, body: { name: name.trim() || null, valid_days: validDays },
        })
        : await api.POST("/v1/tokens", {
          body: { role: kind, name: name.trim(), valid_days: validDays, unit_id: unitId || null },
        });
      if (r.data) onIssued(r.data);
      else setProblem(asProblem(r.error, r.response));
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card card--form" onSubmit={mint} aria-labelledby="mint-title" noValidate>
      <h2 id="mint-title">Cấp mã mới</h2>
      <Field id="t-kind" label="Dùng cho" error={errs.role}>
        {(d) => (
          <select id="t-kind" value={kind} aria-describedby={d} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            {(Object.keys(KIND_TEXT) as Kind[]).map((k) => <option key={k} value={k}>{KIND_TEXT[k]}</option>)}
          </select>
        )}
      </Field>
      <Field id="t-unit" label={kind === "unit" ? "Đơn vị" : "Đơn vị công tác"} error={errs.unit_id}
             hint={kind === "unit" ? "Mã chỉ nộp và xem được dữ liệu của đơn vị này."
               : "Không bắt buộc; để tránh chấm đề nghị của chính đơn vị mình."}>
        {(d) => <UnitSelect id="t-unit" value={unitId} onChange={setUnitId} empty={kind === "unit" ? "— Chọn đơn vị —" : "— Không chọn —"} describedBy={d} />}
      </Field>
      <Field id="t-name" label="Tên mã" error={errs.name}
             hint={kind === "unit" ? "Không bắt buộc; mặc định “Mã truy cập của <tên đơn vị>”." : "Để nhận ra mã trong danh sách."}>
        {(d, inv) => <input id="t-name" maxLength={200} autoComplete="off" value={name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field id="t-days" label="Hiệu lực (số ngày)" error={errs.valid_days}>
        {(d, inv) => <input id="t-days" inputMode="numeric" autoComplete="off" value={days} aria-describedby={d} aria-invalid={inv}
                            class="short" onInput={(e) => setDays(e.currentTarget.value)} />}
      </Field>
      {problem && (problem.detail || !Object.keys(errs).length) && <Notice kind="error">{describe(problem)}</Notice>}
      <div class="actions"><button type="submit" class="button" disabled={busy}>Cấp mã truy cập</button></div>
    </form>
  );
}

/** The new token's secret: shown here once, with a copy button and the warning that it will not come back. */
function Minted({ token, unitName, onDone }: { token: Issued; unitName: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied("Đã sao chép mã vào bộ nhớ tạm.");
    } catch {
      // No clipboard (an insecure origin, a refused permission): select the text for Ctrl+C.
      const range = document.createRange();
      const node = document.getElementById("minted-secret");
      if (node) {
        range.selectNodeContents(node);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied("Không sao chép tự động được: mã đã được chọn, hãy bấm Ctrl+C.");
    }
  }

  return (
    <div class="once" role="region" aria-labelledby="minted-title">
      <h2 id="minted-title">Mã truy cập mới: {token.name}</h2>
      <p>{ROLE_TEXT[token.role] ?? token.role}{token.unit_id && ` · ${unitName}`} · hiệu lực đến {dateTime(token.valid_until)}</p>
      <Notice kind="warn">
        <strong>Mã này chỉ hiện một lần.</strong> Hãy sao chép và lưu vào hệ thống dùng mã ngay bây giờ; sau khi đóng,
        không ai xem lại được (kể cả quản trị). Mất mã thì thu hồi và cấp mã mới.
      </Notice>
      <code id="minted-secret" class="secret">{token.token}</code>
      <div class="actions">
        <button type="button" class="button" onClick={() => void copy()}>Sao chép</button>
        <button type="button" class="button button--secondary" onClick={onDone}>Tôi đã lưu mã, đóng lại</button>
      </div>
      {copied && <p role="status">{copied}</p>}
    </div>
  );
}

// -- revoke ------------------------------------------------------------------------------------

function Revoke({ token, onCancel, onRevoked }: { token: TokenInfo; onCancel: () => void; onRevoked: (t: TokenInfo) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      const r = await api.DELETE("/v1/tokens/{token_id}", { params: { path: { token_id: token.id } } });
      if (r.response.ok) onRevoked(token);
      else setError(describe(asProblem(r.error, r.response)));
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <p>Thu hồi mã “{token.name}”? Mọi hệ thống đang dùng mã này sẽ bị từ chối ngay (lỗi 401). Không hoàn tác được;
        muốn dùng tiếp thì cấp mã mới.</p>
      {error && <Notice kind="error">{error}</Notice>}
      <div class="actions">
        <button type="button" class="button" disabled={busy} onClick={() => void revoke()}>Xác nhận thu hồi</button>
        <button type="button" class="button button--secondary" onClick={onCancel}>Hủy</button>
      </div>
    </div>
  );
}
