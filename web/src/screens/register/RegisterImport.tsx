/**
 * Nhập sổ khen thưởng từ tệp Excel (#/so-khen-thuong/nhap), for the office: the template, a file checked
 * by the API (POST /v1/register/imports: every row's error, the valid rows; nothing stored), then
 * "Lưu vào sổ" (POST /v1/register/imports/{id}/confirm), offered only when the file has no error.
 */
import { useState } from "preact/hooks";
import { asProblem, authFetch, describe } from "../../api/client";
import { date, num } from "../../lib/format";
import { Heading, Notice } from "../../ui";
import { KIND_TEXT, OFFLINE, XLSX, downloadWorkbook, type ImportConfirmed, type ImportPreview } from "./register";
import "./register.css";

/** The spreadsheet's column for a field the API names. */
const FIELD_TEXT: Record<string, string> = {
  kind: "Đối tượng", name: "Họ tên / Tên tập thể", officer_number: "Số hiệu", birth_date: "Ngày sinh",
  position: "Cấp bậc, chức vụ", unit_id: "Mã đơn vị", award_form: "Hình thức khen thưởng",
  decision_number: "Số quyết định", decision_date: "Ngày quyết định", granted_by: "Cấp quyết định",
  summary: "Tóm tắt thành tích", body: "Tệp",
};

export default function RegisterImport(_props: Record<string, never>) {
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [fileName, setFileName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"check" | "save" | "template" | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function template() {
    setError(null);
    setBusy("template");
    const failed = await downloadWorkbook("/v1/register/template", "mau-so-khen-thuong.xlsx");
    setBusy(null);
    if (failed) setError(failed);
  }

  async function upload(file: File) {
    setBusy("check");
    setError(null);
    setPreview(null);
    setSaved(null);
    setFileName(file.name);
    try {
      const response = await authFetch("/v1/register/imports", { method: "POST", headers: { "Content-Type": XLSX }, body: file });
      const body = await response.json().catch(() => undefined);
      if (response.ok) setPreview(body as ImportPreview);
      else {
        // a file that is not the template's workbook: the API says why in the field error, not in `detail`
        const problem = asProblem(body, response);
        const why = (problem.errors ?? []).map((e) => e.message).join(" ");
        setError(why && problem.status < 500 ? `Không đọc được tệp ${file.name}: ${why}` : describe(problem));
      }
    } catch {
      setError("Không gửi được tệp: kiểm tra kết nối mạng rồi chọn lại tệp.");
    } finally {
      setBusy(null);
    }
  }

  async function confirm() {
    if (!preview) return;
    setBusy("save");
    setError(null);
    try {
      const response = await authFetch(`/v1/register/imports/${encodeURIComponent(preview.id)}/confirm`, { method: "POST" });
      const body = await response.json().catch(() => undefined);
      if (response.ok) {
        const done = body as ImportConfirmed;
        setSaved(`Đã lưu ${num(done.stored)} mục vào sổ khen thưởng từ tệp ${fileName}.`
          + (done.new < done.stored ? ` ${num(done.stored - done.new)} mục đã có trong sổ từ trước nên không ghi thêm.` : ""));
      } else {
        setError(describe(asProblem(body, response)));
      }
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(null);
    }
  }

  const errors = preview?.errors ?? [];
  const badRows = new Set(errors.map((e) => e.row)).size;
  return (
    <section class="reg">
      <p class="crumbs"><a href="#/so-khen-thuong">Sổ theo dõi khen thưởng</a></p>
      <Heading>Nhập sổ khen thưởng từ tệp Excel</Heading>
      <p class="lead">
        Dùng để đưa các năm trước vào sổ: mỗi dòng của tệp là một người hoặc một tập thể đã được khen thưởng.
      </p>
      <Notice kind="info">
        Chọn tệp chỉ để kiểm tra: chưa có gì được lưu vào sổ cho đến khi bạn bấm “Lưu vào sổ”.
      </Notice>
      <ol class="steps">
        <li>
          <button type="button" class="button button--secondary" disabled={busy === "template"} onClick={() => void template()}>
            Tải tệp mẫu
          </button>
          <p class="hint hint--after">
            Mỗi dòng từ dòng 2 là một khen thưởng; dòng 2 của tệp mẫu là ví dụ (Nguyễn Văn A): ghi đè hoặc xóa dòng đó.
            Ngày viết dạng 31/12/2024; đơn vị ghi mã đơn vị (ví dụ ca-nghe-an) hoặc tên đầy đủ.
          </p>
        </li>
        <li>
          <label for="reg-file" class="filelabel">Chọn tệp Excel đã điền (.xlsx)</label>
          <input id="reg-file" type="file" accept={`.xlsx,${XLSX}`} disabled={busy !== null}
                 onChange={(e) => {
                   const input = e.currentTarget;
                   const f = input.files?.[0];
                   if (f) void upload(f);
                   input.value = ""; // the same file, fixed and chosen again, is checked again
                 }} />
          {busy === "check" && <p role="status">Đang kiểm tra tệp {fileName}…</p>}
        </li>
      </ol>
      {error && <Notice kind="error">{error}</Notice>}

      {preview && (
        <section class="reg-preview" aria-labelledby="reg-preview-title">
          <h2 id="reg-preview-title">Kết quả kiểm tra tệp {fileName}</h2>
          <ul class="reg-counts">
            <li><strong>{num(preview.rows)}</strong> dòng trong tệp</li>
            <li><strong>{num(preview.valid)}</strong> dòng hợp lệ</li>
            {(preview.already ?? 0) > 0 && (
              <li><strong>{num(preview.already ?? 0)}</strong> dòng đã có trong sổ (không ghi thêm)</li>
            )}
            <li class={errors.length ? "reg-bad" : ""}><strong>{num(errors.length)}</strong> lỗi{errors.length ? ` ở ${num(badRows)} dòng` : ""}</li>
          </ul>
          {errors.length > 0 && (
            <>
              <Notice kind="error">
                Tệp có {num(errors.length)} lỗi nên chưa thể lưu, và chưa có gì được lưu vào sổ. Sửa các dòng dưới đây
                trong Excel, lưu tệp rồi chọn lại tệp.
              </Notice>
              <h3 id="reg-errors-title">Các lỗi trong tệp</h3>
              <table class="rows reg-errors" aria-labelledby="reg-errors-title">
                <thead><tr><th scope="col">Dòng</th><th scope="col">Cột</th><th scope="col">Lỗi</th></tr></thead>
                <tbody>
                  {errors.map((e, i) => (
                    <tr key={i}>
                      <th scope="row" class="reg-errors__row">Dòng {e.row}</th>
                      <td data-label="Cột">{FIELD_TEXT[e.field] ?? e.field}</td>
                      <td data-label="Lỗi">{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {errors.length === 0 && !saved && (
            <Notice kind="ok">Tệp hợp lệ: {num(preview.valid)} mục sẵn sàng để lưu. Kiểm tra lại rồi bấm “Lưu vào sổ”.</Notice>
          )}
          {preview.preview.length > 0 && (
            <>
            <h3 id="reg-valid-title">Các dòng hợp lệ{errors.length ? " (sẽ lưu khi tệp hết lỗi)" : " sẽ được lưu"}</h3>
            <table class="rows reg-valid" aria-labelledby="reg-valid-title">
              <thead>
                <tr><th scope="col">Họ tên / tập thể</th><th scope="col">Đơn vị</th>
                  <th scope="col">Hình thức khen thưởng</th><th scope="col">Quyết định</th><th scope="col">Cấp quyết định</th></tr>
              </thead>
              <tbody>
                {preview.preview.map((p, i) => (
                  <tr key={p.id ?? i}>
                    <th scope="row" class="reg-name">{p.name}
                      <span class="note">{[p.kind ? KIND_TEXT[p.kind] ?? p.kind : "", p.position,
                        p.already_registered ? "đã có trong sổ" : ""].filter(Boolean).join(" · ")}</span>
                    </th>
                    <td data-label="Đơn vị">{p.unit_name ?? p.unit_id ?? "—"}</td>
                    <td data-label="Hình thức khen thưởng">{p.award_form_name ?? p.award_form ?? "—"}</td>
                    <td data-label="Quyết định">Số {p.decision_number ?? "—"} ngày {date(p.decision_date)}</td>
                    <td data-label="Cấp quyết định">{p.granted_by ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </>
          )}
          {saved ? (
            <Notice kind="ok">{saved} <a href="#/so-khen-thuong">Xem sổ khen thưởng</a></Notice>
          ) : (
            <div class="actions">
              <button type="button" class="button" disabled={errors.length > 0 || preview.valid === 0 || busy !== null}
                      aria-describedby={errors.length ? "reg-save-why" : undefined} onClick={() => void confirm()}>
                {busy === "save" ? "Đang lưu…" : "Lưu vào sổ"}
              </button>
              {errors.length > 0 && <p class="hint reg-save-why" id="reg-save-why">Chỉ lưu được khi tệp không còn lỗi.</p>}
            </div>
          )}
        </section>
      )}
    </section>
  );
}
