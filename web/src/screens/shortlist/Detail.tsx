/** "Chi tiết đề nghị": everything the office decides a nomination on, and the single decisions. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { dateTime, num } from "../../lib/format";
import { Field, Loading, Notice } from "../../ui";
import {
  AUDIT_TEXT, DECISION_TEXT, KIND_TEXT, STATUS_TEXT, score,
  type AwardForm, type Criterion, type Decision, type Detail as DetailData, type Nomination, type QuotaLine,
} from "./common";

interface Props {
  nominationId: string;
  forms: AwardForm[];
  criteria: Criterion[];
  quotas: QuotaLine[];
  finalised: boolean;
  closeHref: string;
  /** A decision landed: the nomination as decided and its new ETag. */
  onDecided: (nomination: Nomination, etag: string) => void;
  /** The nomination changed under us (412): the list reloads its row from this fresh read. */
  onChanged: (nomination: Nomination, etag: string) => void;
  /** Refused as locked (423: finalised meanwhile): the list reads its state again. */
  onLocked: () => void;
}

const STALE = "Đề nghị này vừa được người khác thay đổi sau khi bạn mở nó; quyết định của bạn chưa được ghi. "
  + "Đề nghị đã được tải lại: hãy xem lại rồi quyết định.";

export function Detail({ nominationId, forms, criteria, quotas, finalised, closeHref, onDecided, onChanged, onLocked }: Props) {
  const [data, setData] = useState<DetailData | null>(null);
  const [etag, setEtag] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "warn" | "error"; text: string } | null>(null);
  const [moveTo, setMoveTo] = useState("");
  const [asking, setAsking] = useState<Decision | null>(null);
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let current = true;
    setData(null);
    setError(null);
    api.GET("/v1/nominations/{nomination_id}/detail", { params: { path: { nomination_id: nominationId } } }).then(
      ({ data: body, error: e, response }) => {
        if (!current) return;
        if (!body) {
          setError(describe(asProblem(e, response)));
          return;
        }
        setData(body);
        setEtag(response.headers.get("ETag") ?? "");
        setMoveTo(body.nomination.award_form);
      },
      () => current && setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại."),
    );
    return () => {
      current = false;
    };
  }, [nominationId, round]);

  // A newly chosen nomination: its details take the reader's focus (on a phone they are below the list).
  useEffect(() => {
    setMessage(null);
    headingRef.current?.focus({ preventScroll: window.matchMedia("(min-width: 1024px)").matches });
  }, [nominationId]);

  useEffect(() => {
    if (finalised) setMessage(null); // the list says it is finalised; an earlier decision's note is history
  }, [finalised]);

  async function decide(decision: Decision, withNote: string) {
    if (!data) return;
    setBusy(true);
    setMessage(null);
    const moving = moveTo && moveTo !== data.nomination.award_form ? moveTo : null;
    try {
      const r = await api.POST("/v1/nominations/{nomination_id}/decision", {
        params: { path: { nomination_id: data.nomination.id }, header: { "If-Match": etag } },
        body: { decision, note: withNote, ...(moving ? { award_form: moving } : {}) },
      });
      if (r.data) {
        setAsking(null);
        const formName = moving ? forms.find((f) => f.code === moving)?.name ?? moving : null;
        setMessage({ kind: "ok", text: `${DECISION_TEXT[decision].done} đề nghị khen thưởng ${data.nomination.name}`
          + `${formName ? `, chuyển sang ${formName}` : ""}.` });
        onDecided(r.data, r.response.headers.get("ETag") ?? "");
        setRound((n) => n + 1);
        return;
      }
      const problem = asProblem(r.error, r.response);
      if (r.response.status === 412) {
        setAsking(null);
        await reloadChanged();
        setMessage({ kind: "warn", text: STALE });
      } else if (asking && problem.errors?.some((x) => x.field === "note")) {
        setNoteError(describe(problem));
      } else {
        setAsking(null);
        setMessage({ kind: "error", text: describe(problem) });
        if (r.response.status === 423) onLocked();
      }
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ. Quyết định chưa được ghi; hãy thử lại." });
    } finally {
      setBusy(false);
    }
  }

  /** Read the nomination again (someone else changed it): the row and these details both show it. */
  async function reloadChanged() {
    const fresh = await api.GET("/v1/nominations/{nomination_id}", { params: { path: { nomination_id: nominationId } } });
    if (fresh.data) onChanged(fresh.data, fresh.response.headers.get("ETag") ?? "");
    setRound((n) => n + 1);
  }

  function ask(decision: Decision) {
    setNote("");
    setNoteError(null);
    setMessage(null);
    setAsking(decision);
  }

  function confirm(e: Event) {
    e.preventDefault();
    if (!asking) return;
    if (asking === "reject" && !note.trim()) {
      setNoteError("Nhập lý do không đồng ý: đơn vị đề nghị sẽ đọc lý do này.");
      return;
    }
    void decide(asking, note.trim());
  }

  const n = data?.nomination;
  const usable = n ? forms.filter((f) => f.for.includes(n.kind)) : [];
  // Approving here would take the (target) form over its quota: said before, as finalising will refuse it.
  const target = quotas.find((q) => q.award_form === (moveTo || n?.award_form));
  const adds = n && (n.status !== "approved" || moveTo !== n.award_form) ? 1 : 0;
  const overAfter = target && target.quota != null && adds > 0 && target.approved + adds > target.quota ? target : null;

  return (
    <section class="sl-detail card" aria-labelledby="sl-detail-title">
      <div class="sl-detail__head">
        <h2 id="sl-detail-title" tabIndex={-1} ref={headingRef}>Chi tiết đề nghị</h2>
        <a class="button button--secondary button--small" href={closeHref}>Đóng chi tiết</a>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!data && !error && <Loading />}
      {data && n && (
        <>
          <p class="sl-detail__name">{n.name}{n.position && <span class="note">{n.position}</span>}</p>
          {!finalised && (
            <div class="sl-decide" role="group" aria-label="Quyết định đề nghị này">
              <Field id="sl-move" label="Chuyển hình thức khen thưởng"
                     hint={`Hiện tại: ${data.award_form_name}. Áp dụng cùng quyết định bạn chọn bên dưới.`}>
                {(describedBy) => (
                  <select id="sl-move" value={moveTo} aria-describedby={describedBy}
                          onChange={(e) => setMoveTo((e.target as HTMLSelectElement).value)}>
                    {usable.map((f) => (
                      <option key={f.code} value={f.code}>{f.name}</option>
                    ))}
                  </select>
                )}
              </Field>
              <div class="sl-decide__buttons">
                <button type="button" class="button" disabled={busy} onClick={() => void decide("approve", "")}>
                  {DECISION_TEXT.approve.button}
                </button>
                <button type="button" class="button button--secondary" disabled={busy} onClick={() => ask("reject")}>
                  {DECISION_TEXT.reject.button}
                </button>
                <button type="button" class="button button--secondary" disabled={busy} onClick={() => ask("hold")}>
                  {DECISION_TEXT.hold.button}
                </button>
              </div>
              {overAfter && (
                <p class="sl-over sl-decide__warn">
                  {overAfter.name} đã đồng ý {overAfter.approved}/{overAfter.quota} chỉ tiêu: đồng ý đề nghị này sẽ vượt
                  chỉ tiêu và danh sách sẽ không chốt được.
                </p>
              )}
            </div>
          )}

          <dl class="sl-facts">
            <dt>Hình thức</dt><dd>{data.award_form_name}</dd>
            <dt>Đối tượng</dt><dd>{KIND_TEXT[n.kind] ?? n.kind} · {data.nominee_unit_name}</dd>
            <dt>Đơn vị đề nghị</dt><dd>{data.unit_name}</dd>
            <dt>Hạng · Tổng điểm</dt>
            <dd>{data.rank ?? "—"} · {score(data.score?.total)}{data.within_quota ? " (trong vạch chỉ tiêu)" : " (ngoài vạch chỉ tiêu)"}</dd>
            <dt>Trạng thái</dt>
            <dd><span class={`state state--nom-${n.status}`}>{STATUS_TEXT[n.status] ?? n.status}</span>
              {n.decision && <span class="note">{n.decision.by_name || n.decision.by}, {dateTime(n.decision.at)}
                {n.decision.note && <>: “{n.decision.note}”</>}</span>}</dd>
          </dl>

          <h3>Thành tích</h3>
          <p class="sl-achievements">{n.achievements}</p>

          <h3>Số liệu của phần tự động</h3>
          <p class="hint">
            Phần tự động {score(data.automatic.score)}/100 (trọng số {num(data.automatic.weight * 100)}%): số liệu của
            {" "}{data.nominee_unit_name} (đơn vị được đề nghị hoặc đơn vị của người, tổ được đề nghị, kể cả các đơn vị
            cấp dưới) cộng qua các kỳ của hội nghị, chia theo quy mô
            {data.automatic.per_value != null ? ` (${num(data.automatic.per_value)} cán bộ)` : ""}, xếp phân vị trong
            các đơn vị cùng loại.
          </p>
          {!data.automatic.scored && data.automatic.reason && <p class="note" role="note">{data.automatic.reason}</p>}
          <ul class="plain sl-indicators">
            {data.automatic.indicators.filter((i) => i.value != null).map((i) => (
              <li key={i.code}>
                <span class="sl-ind__label">{i.label}</span>
                <span class="sl-ind__value">{num(i.value)} {i.unit}</span>
                {i.percentile == null ? <span class="note">{data.automatic.scored ? "Không xếp phân vị" : "Không chấm"}</span> : (
                  <span class="sl-bar">
                    <span class="sl-bar__track" aria-hidden="true"><span class="sl-bar__fill" style={{ width: `${i.percentile}%` }} /></span>
                    <span>Phân vị {score(i.percentile)}</span>
                  </span>
                )}
                <span class="note sl-ind__peers">{i.peers} đơn vị cùng loại so sánh</span>
              </li>
            ))}
          </ul>
          {data.automatic.indicators.some((i) => i.value == null) && (
            <p class="hint">Không báo cáo: {data.automatic.indicators.filter((i) => i.value == null).map((i) => i.label).join("; ")}.</p>
          )}

          <h3>Điểm của người chấm</h3>
          {!data.reviews?.length && <p>Chưa có ai chấm đề nghị này.</p>}
          {!!data.reviews?.length && (
            <ul class="plain sl-reviews">
              {data.reviews.map((r) => (
                <li key={r.reviewer}>
                  <strong>{r.reviewer_name || r.reviewer}</strong>: {score(r.score)}/100
                  <span class="note">{criteria.map((c) => `${c.label} ${r.scores[c.code] ?? "—"}/10`).join(" · ")}</span>
                  {r.note && <span class="note">“{r.note}”</span>}
                  <span class="note">{dateTime(r.at)}</span>
                </li>
              ))}
            </ul>
          )}

          <h3>Xung đột lợi ích</h3>
          {!data.conflicts?.length && <p>Không có cán bộ chấm điểm nào thuộc đơn vị liên quan.</p>}
          {!!data.conflicts?.length && (
            <ul class="plain">
              {data.conflicts.map((c) => (
                <li key={c.account_id}>{c.name} ({c.role === "admin" ? "Quản trị" : "Lãnh đạo"}, {c.unit_name}): không được chấm
                  {c.scored && <span class="note">Đã chấm trước khi quy tắc áp dụng.</span>}</li>
              ))}
            </ul>
          )}

          <h3>Nhật ký</h3>
          <ol class="plain sl-audit">
            {(data.audit?.items ?? []).map((a) => {
              const detail = a.detail as { note?: string; award_form?: string };
              return (
                <li key={a.id}>
                  <span class="note">{dateTime(a.at)}</span> {AUDIT_TEXT[a.action] ?? a.action}
                  {detail.award_form && a.action !== "nominated" && ` (${forms.find((f) => f.code === detail.award_form)?.name ?? detail.award_form})`}
                  {" "}— {a.actor_name || a.actor}{detail.note ? `: “${detail.note}”` : ""}
                </li>
              );
            })}
          </ol>
          {data.audit?.next && <p class="hint">Chỉ hiện 50 mục mới nhất.</p>}
        </>
      )}

      <Dialog title={asking ? DECISION_TEXT[asking].title : ""} open={asking !== null} onClose={() => setAsking(null)}>
        {asking && n && (
          <form onSubmit={confirm} noValidate>
            <p>{n.name} — {data?.award_form_name}
              {moveTo !== n.award_form && <> (chuyển sang {forms.find((f) => f.code === moveTo)?.name})</>}</p>
            <Field id="sl-note" label="Lý do" error={noteError}
                   hint={asking === "reject" ? "Bắt buộc: đơn vị đề nghị đọc được lý do này." : "Không bắt buộc."}>
              {(describedBy, invalid) => (
                <textarea id="sl-note" rows={4} value={note} aria-describedby={describedBy} aria-invalid={invalid}
                          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
              )}
            </Field>
            <div class="actions">
              <button type="submit" class="button" disabled={busy}>{DECISION_TEXT[asking].confirm}</button>
              <button type="button" class="button button--secondary" onClick={() => setAsking(null)}>Hủy</button>
            </div>
          </form>
        )}
      </Dialog>
    </section>
  );
}
