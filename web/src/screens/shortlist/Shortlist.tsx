/**
 * Xét khen thưởng: a conference's ranked nominations by award form, with the quota of each form,
 * the details of one nomination beside the list (below it on a phone), single and bulk decisions,
 * and finalising with the quota check explained first. Every decision is conditioned on the ETag
 * the admin saw; a change made by someone else since is refused by the API (412) and reloaded here.
 */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { Dialog } from "../../components/Dialog";
import { moreLabel, usePages, type Fetched } from "../../components/pages";
import { dateTime } from "../../lib/format";
import { href } from "../../lib/router";
import { Field, Heading, Loading, Notice } from "../../ui";
import { Detail } from "./Detail";
import {
  DECISION_TEXT, STATUS_TEXT, quotaLine, quotaState, score,
  type AwardForm, type Criterion, type Decision, type Nomination, type QuotaLine, type Row,
} from "./common";
import "./shortlist.css";

type Conference = components["schemas"]["Conference"];
type ShortlistBody = components["schemas"]["Shortlist"];
const PAGE = 100;
const MAX_BULK = 40; // the API's cap on one bulk decision (chalicelib/awards/models.py MAX_BULK)
const OFFLINE = "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";

export default function Shortlist({ conferenceId, selected }: { conferenceId: string; selected: string | null }) {
  const [conference, setConference] = useState<Conference | null>(null);
  const [conferenceError, setConferenceError] = useState<string | null>(null);
  const [forms, setForms] = useState<AwardForm[]>([]);
  const [criteria, setCriteria] = useState<Criterion[]>([]);
  const [quotas, setQuotas] = useState<QuotaLine[]>([]);
  const [finalisedAt, setFinalisedAt] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<{ kind: "ok" | "warn" | "error"; text: string } | null>(null);
  const [bulk, setBulk] = useState<Decision | null>(null);
  const [finalising, setFinalising] = useState(false);

  const listPath = "/v1/conferences/{conference_id}/shortlist" as const;
  const path = { conference_id: conferenceId };
  // the route also answers a workbook (Accept), so its typed body is JSON or a string: JSON here
  const readPage = (query: { limit: number; cursor?: string }) =>
    api.GET(listPath, { params: { path, query } }) as Promise<Fetched<ShortlistBody>>;
  const pages = usePages<ShortlistBody, Row>(
    (cursor) => readPage({ limit: PAGE, ...(cursor ? { cursor } : {}) }),
    (body) => {
      // the quota summary and the finalised state are the whole conference's, the same on every page
      setQuotas(body.quotas);
      setFinalisedAt(body.finalised_at);
      return { items: body.items, next: body.next };
    },
    [conferenceId],
  );

  function loadConference() {
    return api.GET("/v1/conferences/{conference_id}", { params: { path } }).then(({ data, error, response }) => {
      if (data) {
        setConference(data);
        return response.headers.get("ETag") ?? "";
      }
      setConferenceError(describe(asProblem(error, response)));
      return null;
    }, () => {
      setConferenceError(OFFLINE);
      return null;
    });
  }

  useEffect(() => {
    void loadConference();
    api.GET("/v1/award-forms").then(({ data }) => {
      if (data) {
        setForms(data.items);
        setCriteria(data.criteria);
      }
    }, () => undefined);
  }, [conferenceId]);

  /**
   * After a decision: the rows already shown read again in place (new ETags, statuses, forms, ranks and
   * quota places: one decision can move another row out of its quota) and the quota lines, without
   * emptying the list, so the office keeps its place and the pages it opened.
   */
  async function refreshRows() {
    const shownIds = new Set((pages.items ?? []).map((r) => r.nomination.id));
    let cursor: string | undefined;
    let seen = 0;
    try {
      do {
        const { data } = await readPage({ limit: PAGE, ...(cursor ? { cursor } : {}) });
        if (!data) return;
        setQuotas(data.quotas);
        setFinalisedAt(data.finalised_at);
        for (const row of data.items) {
          if (shownIds.has(row.nomination.id)) {
            seen += 1;
            pages.replace(row, (a, b) => a.nomination.id === b.nomination.id);
          }
        }
        cursor = data.next ?? undefined;
      } while (cursor && seen < shownIds.size);
    } catch {
      setMessage({ kind: "error", text: OFFLINE });
    }
  }

  const rows = pages.items ?? [];
  const finalised = !!finalisedAt;
  const shown = rows.filter((r) => !filter || r.nomination.award_form === filter);
  const groups = quotas.filter((q) => (!filter || q.award_form === filter) && shown.some((r) => r.nomination.award_form === q.award_form));
  const chosenRows = rows.filter((r) => chosen.has(r.nomination.id));
  const listHref = href("xet-khen", conferenceId);
  const rowHref = (id: string) => `${listHref}?de-nghi=${encodeURIComponent(id)}`;

  function toggle(ids: string[], on: boolean) {
    setChosen((old) => {
      const next = new Set(old);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }

  /** A row's nomination as just read or decided, with its new ETag (rank and score stay until the next load). */
  function replaceRow(nomination: Nomination, etag: string) {
    const row = rows.find((r) => r.nomination.id === nomination.id);
    if (!row) return;
    pages.replace({
      ...row, etag: etag.replace(/^W\//, "").replace(/"/g, ""),
      nomination: { ...row.nomination, ...nomination, achievements: row.nomination.achievements },
    }, (a, b) => a.nomination.id === b.nomination.id);
  }

  const heading = conference ? `Xét khen thưởng: ${conference.title}` : "Xét khen thưởng";

  return (
    <section class="sl">
      <Heading>{heading}</Heading>
      {conferenceError && <Notice kind="error">{conferenceError}</Notice>}
      {conference && (
        <p class="lead">
          Chọn tên một đề nghị để xem chi tiết và quyết định; đánh dấu nhiều đề nghị để quyết định cùng lúc.{" "}
          <a href={href("hoi-nghi", conferenceId)}>Về trang hội nghị</a>
        </p>
      )}
      {finalised && (
        <Notice kind="info">
          Danh sách đã được chốt lúc {dateTime(finalisedAt)}. Không thể thay đổi quyết định, điểm chấm hay đề nghị nữa.
        </Notice>
      )}

      <div class={`sl-layout${selected ? " sl-layout--detail" : ""}`}>
        <div class="sl-list">
          {quotas.some((q) => q.nominated > 0 || q.quota != null) && (
            <section class="sl-quotas" aria-labelledby="sl-quotas-title">
              <div>
              <h2 id="sl-quotas-title">Chỉ tiêu khen thưởng</h2>
              <ul class="plain">
                {quotas.filter((q) => q.nominated > 0 || q.quota != null).map((q) => {
                  const state = quotaState(q);
                  return (
                    <li key={q.award_form} class={state.over ? "sl-over" : ""}>
                      <strong>{q.name}</strong>: {quotaLine(q)}{q.quota != null && <> — {state.text}</>}
                    </li>
                  );
                })}
              </ul>
              <p class="hint sl-quotas__hint">Vạch chỉ tiêu: các đề nghị xếp hạng cao nhất chưa bị không đồng ý, bằng số chỉ tiêu của hình thức.</p>
              </div>
              {!finalised && (
                <button type="button" class="button" onClick={() => setFinalising(true)} disabled={!conference}>
                  Chốt danh sách
                </button>
              )}
            </section>
          )}

          {message && <Notice kind={message.kind}>{message.text}</Notice>}

          <div class="toolbar">
            <label for="sl-filter">Hình thức khen thưởng</label>
            <select id="sl-filter" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
              <option value="">Tất cả hình thức</option>
              {quotas.filter((q) => q.nominated > 0).map((q) => <option key={q.award_form} value={q.award_form}>{q.name}</option>)}
            </select>
          </div>
          {filter && pages.next && (
            <p class="hint">Bộ lọc áp dụng cho {rows.length} đề nghị đã tải; còn đề nghị chưa tải: bấm “Xem thêm” ở cuối danh sách.</p>
          )}
          {pages.error && <Notice kind="error">{pages.error}</Notice>}
          {pages.items === null && !pages.error && <Loading />}
          {pages.items !== null && rows.length === 0 && <p>Hội nghị này chưa có đề nghị khen thưởng nào.</p>}
          {groups.map((q) => {
            const mine = shown.filter((r) => r.nomination.award_form === q.award_form).sort((a, b) => a.rank - b.rank);
            const selectable = mine.map((r) => r.nomination.id);
            const all = selectable.length > 0 && selectable.every((id) => chosen.has(id));
            return (
              <section key={q.award_form} class="sl-group" aria-labelledby={`sl-group-${q.award_form}`}>
                <h2 id={`sl-group-${q.award_form}`}>{q.name}</h2>
                <p class={`sl-quota${quotaState(q).over ? " sl-over" : ""}`}>{quotaLine(q)}</p>
                <table class="rows sl-table">
                  <thead>
                    <tr>
                      <th scope="col" class="sl-check">
                        {!finalised && <input type="checkbox" checked={all} aria-label={`Chọn tất cả đề nghị ${q.name}`}
                                              onChange={(e) => toggle(selectable, (e.target as HTMLInputElement).checked)} />}
                      </th>
                      <th scope="col" class="num">Hạng</th>
                      <th scope="col">Đề nghị</th>
                      <th scope="col" class="num">Điểm</th>
                      <th scope="col">Trạng thái</th>
                    </tr>
                  </thead>
                  <tbody>
                    {mine.map((r) => (
                      <ShortRow key={r.nomination.id} row={r} finalised={finalised} href={rowHref(r.nomination.id)}
                                current={r.nomination.id === selected} checked={chosen.has(r.nomination.id)}
                                onCheck={(on) => toggle([r.nomination.id], on)} />
                    ))}
                  </tbody>
                </table>
              </section>
            );
          })}
          {/* after the list and stuck to the bottom of the screen while the list scrolls: the bulk
              decisions stay in reach (and on a 1024x768 screen) however far down the office ticks */}
          {!finalised && (
            <div class={`sl-bulk${chosenRows.length ? " sl-bulk--active" : ""}`} role="group" aria-label="Quyết định các đề nghị đã chọn">
              <p class="sl-bulk__count" aria-live="polite">
                {chosenRows.length ? `Đã chọn ${chosenRows.length} đề nghị` : "Chưa chọn đề nghị nào để quyết định cùng lúc."}
              </p>
              {chosenRows.length > 0 && (["approve", "reject", "hold"] as Decision[]).map((d) => (
                <button key={d} type="button" class={`button button--small${d === "approve" ? "" : " button--secondary"}`}
                        onClick={() => setBulk(d)}>
                  {DECISION_TEXT[d].bulk}
                </button>
              ))}
            </div>
          )}
          {pages.next && (
            <button type="button" class="button button--secondary" disabled={pages.loading} onClick={pages.more}>
              {moreLabel(rows.length)}
            </button>
          )}
        </div>
        {selected && (
          <Detail nominationId={selected} forms={forms} criteria={criteria} quotas={quotas} finalised={finalised}
                  closeHref={listHref}
                  onDecided={(nomination, etag) => {
                    setMessage(null);
                    replaceRow(nomination, etag);
                    void refreshRows();
                  }}
                  onChanged={(nomination, etag) => replaceRow(nomination, etag)}
                  onLocked={() => void refreshRows()} />
        )}
      </div>

      <BulkDialog decision={bulk} rows={chosenRows} conferenceId={conferenceId} quotas={quotas}
                  onClose={() => setBulk(null)} onLocked={() => void refreshRows()}
                  onDone={(text, kind) => {
                    setBulk(null);
                    setMessage({ kind, text });
                    if (kind === "ok") setChosen(new Set());
                    void refreshRows(); // new ETags (the bulk answer carries none), ranks and quota lines
                  }} />
      <FinaliseDialog open={finalising} conferenceId={conferenceId} loadConference={loadConference}
                      onClose={() => setFinalising(false)}
                      onDone={() => {
                        setFinalising(false);
                        setChosen(new Set());
                        setMessage({ kind: "ok", text: "Đã chốt danh sách khen thưởng. Văn bản của hội nghị đang được tổng hợp." });
                        void loadConference();
                        void refreshRows();
                      }} />
    </section>
  );
}

function ShortRow({ row, finalised, href: link, current, checked, onCheck }: {
  row: Row; finalised: boolean; href: string; current: boolean; checked: boolean; onCheck: (on: boolean) => void;
}) {
  const n = row.nomination;
  return (
    <tr class={current ? "sl-current" : ""}>
      <td class="sl-check">
        {!finalised && <input type="checkbox" checked={checked} aria-label={n.name}
                              onChange={(e) => onCheck((e.target as HTMLInputElement).checked)} />}
      </td>
      <td class="num sl-rank" data-label="Hạng">{row.rank}</td>
      <th scope="row" class="sl-name">
        <a href={link} aria-current={current ? "true" : undefined}>{n.name}</a>
        <span class="note">{[n.position, n.name !== row.nominee_unit_name ? row.nominee_unit_name : "",
          row.unit_name !== row.nominee_unit_name ? `đề nghị: ${row.unit_name}` : ""].filter(Boolean).join(" · ")}</span>
        {row.warnings.length > 0 && (
          <span class="sl-warn-badge" title={row.warnings.map((w) => w.message).join("\n")}>
            Cảnh báo điều kiện: {row.warnings.map((w) => w.message).join("; ")}
          </span>
        )}
      </th>
      <td class="num sl-score" data-label="Điểm">{score(row.score.total)}</td>
      <td class="sl-state">
        <span class={`state state--nom-${n.status}`}>{STATUS_TEXT[n.status] ?? n.status}</span>
        <span class="note">{row.within_quota ? "Trong vạch chỉ tiêu" : "Ngoài vạch chỉ tiêu"}</span>
      </td>
    </tr>
  );
}

function BulkDialog({ decision, rows, conferenceId, quotas, onClose, onDone, onLocked }: {
  decision: Decision | null; rows: Row[]; conferenceId: string; quotas: QuotaLine[];
  onClose: () => void; onDone: (text: string, kind: "ok" | "warn") => void; onLocked: () => void;
}) {
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const [override, setOverride] = useState("");
  const [overrideError, setOverrideError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const warned = decision === "approve" ? rows.filter((r) => r.warnings.length > 0) : [];

  useEffect(() => {
    setNote("");
    setNoteError(null);
    setOverride("");
    setOverrideError(null);
    setError(null);
  }, [decision]);

  // What approving would do to each form's quota, before it is done.
  const after = decision === "approve" ? quotas.map((q) => ({
    ...q, approved: q.approved + rows.filter((r) => r.nomination.award_form === q.award_form && r.nomination.status !== "approved").length,
  })).filter((q) => q.quota != null && rows.some((r) => r.nomination.award_form === q.award_form)) : [];

  async function submit(e: Event) {
    e.preventDefault();
    if (!decision) return;
    if (decision === "reject" && !note.trim()) {
      setNoteError("Nhập lý do không đồng ý: đơn vị đề nghị sẽ đọc lý do này.");
      return;
    }
    if (warned.length > 0 && !override.trim()) {
      setOverrideError("Nhập lý do duyệt vượt điều kiện cho các đề nghị có cảnh báo.");
      return;
    }
    if (rows.length > MAX_BULK) {
      setError(`Mỗi lần chỉ quyết định được tối đa ${MAX_BULK} đề nghị; hãy bỏ chọn bớt.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.POST("/v1/conferences/{conference_id}/decisions", {
        params: { path: { conference_id: conferenceId } },
        body: { items: rows.map((row) => ({ nomination_id: row.nomination.id, etag: row.etag, decision, note: note.trim(),
          ...(decision === "approve" && row.warnings.length > 0 ? { override_note: override.trim() } : {}) })) },
      });
      if (r.data) {
        onDone(`${DECISION_TEXT[decision].done} ${r.data.items.length} đề nghị: ${r.data.items.map((n) => n.name).join(", ")}.`, "ok");
        return;
      }
      if (r.response.status === 412) {
        // the API names the changed nomination by its id: the office knows it by its name
        const detail = asProblem(r.error, r.response).detail ?? "";
        const changed = rows.find((row) => detail.includes(`'${row.nomination.id}'`));
        onDone(`${changed ? `Đề nghị ${changed.nomination.name}` : "Một đề nghị đã chọn"} vừa được người khác thay đổi `
          + "nên không quyết định nào được ghi. Danh sách đã được tải lại: hãy xem lại rồi quyết định.", "warn");
        return;
      }
      setError(describe(asProblem(r.error, r.response)));
      if (r.response.status === 423) onLocked();
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }

  const title = decision ? `${DECISION_TEXT[decision].button} ${rows.length} đề nghị đã chọn` : "";
  return (
    <Dialog title={title} open={decision !== null} onClose={onClose}>
      {decision && (
        <form onSubmit={submit} noValidate>
          <ul class="sl-chosen">
            {rows.map((r) => <li key={r.nomination.id}>{r.nomination.name} — {r.award_form_name}
              {" "}({STATUS_TEXT[r.nomination.status]})</li>)}
          </ul>
          {after.map((q) => (
            <p key={q.award_form} class={quotaState(q).over ? "sl-over" : ""}>
              Sau khi đồng ý, {q.name}: {q.approved}/{q.quota} chỉ tiêu ({quotaState(q).text}).
            </p>
          ))}
          {warned.length > 0 && (
            <>
              <p class="sl-warn-badge">Có {warned.length} đề nghị chưa đủ điều kiện: {warned.map((r) => r.nomination.name).join(", ")}.</p>
              <Field id="sl-bulk-override" label="Lý do duyệt vượt điều kiện" error={overrideError}
                     hint="Bắt buộc; ghi cho mọi đề nghị có cảnh báo điều kiện và vào nhật ký.">
                {(describedBy, invalid) => (
                  <textarea id="sl-bulk-override" rows={3} value={override} aria-describedby={describedBy} aria-invalid={invalid}
                            required onInput={(e) => setOverride((e.target as HTMLTextAreaElement).value)} />
                )}
              </Field>
            </>
          )}
          {decision !== "approve" && (
            <Field id="sl-bulk-note" label="Lý do" error={noteError}
                   hint={decision === "reject" ? "Bắt buộc; gửi kèm mọi đề nghị đã chọn." : "Không bắt buộc."}>
              {(describedBy, invalid) => (
                <textarea id="sl-bulk-note" rows={4} value={note} aria-describedby={describedBy} aria-invalid={invalid}
                          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
              )}
            </Field>
          )}
          {error && <Notice kind="error">{error}</Notice>}
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>{DECISION_TEXT[decision].confirm}</button>
            <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function FinaliseDialog({ open, conferenceId, loadConference, onClose, onDone }: {
  open: boolean; conferenceId: string; loadConference: () => Promise<string | null>;
  onClose: () => void; onDone: () => void;
}) {
  const [etag, setEtag] = useState<string | null>(null);
  const [lines, setLines] = useState<QuotaLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Explain with the counts as they are now, and finalise against the conference as read now.
  useEffect(() => {
    if (!open) return;
    setLines(null);
    setError(null);
    void loadConference().then(setEtag);
    (api.GET("/v1/conferences/{conference_id}/shortlist", { params: { path: { conference_id: conferenceId }, query: { limit: 1 } } }) as
      Promise<Fetched<ShortlistBody>>).then(({ data, error: e, response }) => (data ? setLines(data.quotas) : setError(describe(asProblem(e, response)))),
        () => setError(OFFLINE));
  }, [open]);

  async function submit() {
    if (!etag) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.POST("/v1/conferences/{conference_id}/finalise", {
        params: { path: { conference_id: conferenceId }, header: { "If-Match": etag } },
      });
      if (r.data) onDone();
      else setError(describe(asProblem(r.error, r.response)));
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }

  const relevant = (lines ?? []).filter((q) => q.nominated > 0 || q.quota != null);
  const over = relevant.filter((q) => quotaState(q).over);
  const undecided = relevant.reduce((sum, q) => sum + q.nominated - q.approved, 0);
  return (
    <Dialog title="Chốt danh sách khen thưởng" open={open} onClose={onClose}>
      {open && !lines && !error && <Loading />}
      {lines && (
        <>
          <p>Kiểm tra chỉ tiêu trước khi chốt:</p>
          <ul class="sl-finalise">
            {relevant.map((q) => (
              <li key={q.award_form} class={quotaState(q).over ? "sl-over" : ""}>
                <strong>{q.name}</strong>: {q.quota == null ? `đồng ý ${q.approved} (không giới hạn chỉ tiêu)`
                  : `đồng ý ${q.approved}/${q.quota} chỉ tiêu — ${quotaState(q).text}`}.
              </li>
            ))}
          </ul>
          {over.length > 0 && (
            <Notice kind="warn">
              Số đề nghị được đồng ý đang vượt chỉ tiêu ở: {over.map((q) => q.name).join(", ")}. Máy chủ sẽ không cho chốt
              khi còn vượt chỉ tiêu: hãy không đồng ý hoặc tạm hoãn bớt đề nghị.
            </Notice>
          )}
          <p>
            Khi chốt: các đề nghị được đồng ý trở thành danh sách khen thưởng chính thức và văn bản của hội nghị được tổng
            hợp; mọi quyết định, điểm chấm và đề nghị bị khóa, không thể thay đổi nữa.
            {undecided > 0 && ` ${undecided} đề nghị không được đồng ý hoặc chưa quyết định sẽ không có trong danh sách.`}
          </p>
        </>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div class="actions">
        <button type="button" class="button" disabled={busy || !lines || !etag} onClick={() => void submit()}>
          Xác nhận chốt danh sách
        </button>
        <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
      </div>
    </Dialog>
  );
}
