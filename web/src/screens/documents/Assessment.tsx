/** "Đánh giá của Văn phòng": the five sections of the báo cáo the office writes itself (PATCH /v1/conferences/{id}
 * {"assessment": …} with If-Match), closed once the báo cáo is trình ký or issued. */
import { useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { components } from "../../api/schema";
import type { Problem } from "../../api/types";
import { Field, Notice } from "../../ui";
import { OFFLINE, citation, type Stage } from "./chain";

type Conference = components["schemas"]["Conference"];
export interface Sections { overall: string; shortcomings: string; causes: string; directions: string; recommendations: string }
type Key = keyof Sections;

const MAX = 20000; // the API's cap on one section

export const SECTIONS: { key: Key; label: string; hint: string }[] = [
  { key: "overall", label: "Đánh giá chung", hint: "Kết quả nổi bật của phong trào thi đua trong kỳ." },
  { key: "shortcomings", label: "Tồn tại, hạn chế", hint: "Những việc chưa làm được, đơn vị còn chậm, chỉ tiêu chưa đạt." },
  { key: "causes", label: "Nguyên nhân", hint: "Nguyên nhân khách quan và chủ quan của tồn tại, hạn chế." },
  { key: "directions", label: "Phương hướng, nhiệm vụ", hint: "Nhiệm vụ trọng tâm của kỳ tới." },
  { key: "recommendations", label: "Kiến nghị, đề xuất", hint: "Kiến nghị với lãnh đạo Bộ và các cơ quan liên quan." },
];

function sectionsOf(c: Conference): Sections {
  const a = c.assessment;
  return {
    overall: a?.overall ?? "", shortcomings: a?.shortcomings ?? "", causes: a?.causes ?? "",
    directions: a?.directions ?? "", recommendations: a?.recommendations ?? "",
  };
}

/** Where the báo cáo stands, for the editor: its stage and, once issued, its number and date. */
export interface SummaryState { stage: Stage; number?: string | null; issuedOn?: string | null }

export function Assessment({ conference, etag, summary, notice, onSaved, onStale }: {
  conference: Conference; etag: string | null; summary: SummaryState | null;
  /** Why the editor was reloaded (someone else's change). */
  notice?: string | null;
  onSaved: (c: Conference, etag: string | null) => void;
  /** 412: someone else changed the conference; it is read again (and this editor starts from what is stored). */
  onStale: () => void;
}) {
  const stored = sectionsOf(conference);
  const [d, setD] = useState<Sections>(stored);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const closed = !!summary && ["submitted", "approved", "issued"].includes(summary.stage);
  const why = !summary ? null
    : summary.stage === "submitted" ? "Báo cáo đã trình ký: phần đánh giá không sửa được nữa. Nếu cần sửa, người ký trả lại dự thảo, "
      + "khi đó phần này mở lại."
    : summary.stage === "approved" ? "Người ký đã đồng ý, báo cáo đang được ban hành: phần đánh giá không sửa được nữa."
    : summary.stage === "issued" ? `Báo cáo đã ban hành${summary.number ? ` số ${citation(summary.number, summary.issuedOn)}` : ""}: `
      + "văn bản đã ban hành không sửa được. Muốn sửa, bấm “Thay thế” ở báo cáo (mục Văn bản) để tạo dự thảo thay thế."
    : null;
  const dirty = SECTIONS.some((s) => d[s.key] !== stored[s.key]);

  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    setProblem(null);
    if (!dirty) {
      setSaved("Chưa có gì thay đổi để lưu.");
      return;
    }
    setBusy(true);
    try {
      const assessment: Sections = { ...d };
      for (const s of SECTIONS) assessment[s.key] = d[s.key].normalize("NFC").trim();
      const { data, error, response } = await api.PATCH("/v1/conferences/{conference_id}", {
        params: { path: { conference_id: conference.id }, header: etag ? { "If-Match": etag } : undefined },
        body: { assessment } });
      if (data) {
        setD(sectionsOf(data));
        setSaved("Đã lưu phần đánh giá. Bấm “Tổng hợp văn bản” để có dự thảo báo cáo mới có phần này.");
        onSaved(data, response.headers.get("ETag"));
      } else if (response.status === 412) {
        onStale();
      } else {
        setProblem(asProblem(error, response));
      }
    } catch {
      setProblem({ status: 0, title: "", detail: OFFLINE });
    } finally {
      setBusy(false);
    }
  }

  const errs = fieldErrors(problem);
  const fieldErr = (key: Key) => errs[`assessment.${key}`];
  const other = problem && !SECTIONS.some((s) => fieldErr(s.key)) ? describe(problem) : null;
  return (
    <form class="card assessment" aria-labelledby="c-assess-title" onSubmit={save} noValidate>
      <h2 id="c-assess-title">Đánh giá của Văn phòng</h2>
      <p class="hint">Các phần của báo cáo do Văn phòng viết, in sau phần số liệu. Phần để trống không in trong văn bản
        ban hành (dự thảo ghi “Văn phòng chưa viết phần này”).</p>
      {why && <Notice kind="info">{why}</Notice>}
      {notice && <Notice kind="warn">{notice}</Notice>}
      {SECTIONS.map((s) => (
        <Field key={s.key} id={`as-${s.key}`} label={s.label} hint={s.hint} error={fieldErr(s.key)}>
          {(db, inv) => (
            <textarea id={`as-${s.key}`} rows={s.key === "overall" ? 6 : 4} maxLength={MAX} value={d[s.key]}
                      disabled={closed} aria-describedby={db} aria-invalid={inv}
                      onInput={(e) => {
                        const value = (e.target as HTMLTextAreaElement).value;
                        setD((old) => ({ ...old, [s.key]: value }));
                        setSaved(null);
                      }} />
          )}
        </Field>
      ))}
      {other && <Notice kind="error">{other}</Notice>}
      {saved && !closed && <Notice kind="ok">{saved}</Notice>}
      {!closed && (
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>Lưu phần đánh giá</button>
        </div>
      )}
    </form>
  );
}
