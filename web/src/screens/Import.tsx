import { useState } from "preact/hooks";
import { apiBase, asProblem, authFetch, describe, newKey } from "../api/client";
import type { Problem, WorkbookCheck, WorkbookReport } from "../api/types";
import { num, periodLabel } from "../lib/format";
import { submit } from "../lib/outbox";
import { Heading, Notice } from "../ui";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
type Row = { report: WorkbookReport; state: "waiting" | "sending" | "sent" | "queued" | "refused"; message?: string };

export default function Import({ unitId, period }: { unitId: string; period: string }) {
  const path = `/v1/units/${encodeURIComponent(unitId)}/reports/${encodeURIComponent(period)}/workbook`;
  const [check, setCheck] = useState<WorkbookCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [fileName, setFileName] = useState("");

  async function download(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const response = await authFetch(path, { headers: { Accept: XLSX } });
      if (!response.ok) {
        setError(describe(asProblem(await response.json().catch(() => null), response)));
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `bao-cao-${unitId}-${period}.xlsx`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setError("Không tải được tệp mẫu: kiểm tra kết nối mạng.");
    }
  }

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    setCheck(null);
    setRows(null);
    setFileName(file.name);
    try {
      const response = await authFetch(path, { method: "POST", headers: { "Content-Type": XLSX }, body: file });
      const body = await response.json().catch(() => null);
      if (response.ok) setCheck(body as WorkbookCheck);
      else setError(describe(asProblem(body as Problem, response)));
    } catch {
      setError("Không gửi được tệp: kiểm tra kết nối mạng rồi chọn lại tệp.");
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (!check) return;
    const list: Row[] = check.reports.map((report) => ({ report, state: "waiting" }));
    setRows(list);
    setBusy(true);
    for (let i = 0; i < list.length; i++) {
      const r = list[i].report;
      list[i] = { ...list[i], state: "sending" };
      setRows([...list]);
      const outcome = await submit(r.unit_id, period, { values: r.values, comments: r.comments, achievements: r.achievements },
                                   r.etag, newKey());
      list[i] = outcome.kind === "sent" ? { report: r, state: "sent", message: `Phiên bản ${outcome.report.version}` }
        : outcome.kind === "queued" ? { report: r, state: "queued", message: "Đang chờ gửi" }
        : { report: r, state: "refused", message: describe(outcome.problem) };
      setRows([...list]);
    }
    setBusy(false);
  }

  const done = rows?.filter((r) => r.state === "sent").length ?? 0;
  const finished = rows && rows.every((r) => r.state !== "waiting" && r.state !== "sending");
  return (
    <section>
      <Heading>Nhập từ tệp Excel</Heading>
      <p class="lead">Kỳ {periodLabel(period)}. Tải tệp mẫu, điền số liệu bằng Excel (mỗi đơn vị một dòng), rồi chọn tệp để kiểm tra.
        Chưa có gì được lưu cho đến khi bạn bấm «Xác nhận nhập».</p>
      <ol class="steps">
        <li><a href={apiBase() + path} onClick={download} class="button button--secondary">Tải tệp mẫu</a></li>
        <li>
          <label for="file" class="filelabel">Chọn tệp</label>
          <input id="file" type="file" accept={`.xlsx,${XLSX}`} disabled={busy}
                 onChange={(e) => {
                   const f = e.currentTarget.files?.[0];
                   if (f) void upload(f);
                 }} />
          {busy && !rows && <p role="status">Đang kiểm tra tệp {fileName}…</p>}
        </li>
      </ol>
      {error && <Notice kind="error">{error}</Notice>}
      {check && check.errors.length > 0 && (
        <>
          <Notice kind="error">Tệp có {num(check.errors.length)} lỗi. Sửa trong Excel rồi chọn lại tệp; chưa có gì được lưu.</Notice>
          <div class="scroll" tabIndex={0} role="region" aria-label="Các lỗi trong tệp">
            <table class="grid errors-table">
              <caption>Các lỗi trong tệp</caption>
              <thead><tr><th scope="col">Trang tính</th><th scope="col">Dòng</th><th scope="col">Cột</th><th scope="col">Lỗi</th></tr></thead>
              <tbody>
                {check.errors.map((e, i) => (
                  <tr key={i}><td>{e.sheet}</td><td class="num">{e.row}</td><td>{e.column}</td><td>{e.message}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {check && check.errors.length === 0 && (
        <>
          <Notice kind="ok">Tệp hợp lệ: {num(check.reports.length)} báo cáo sẵn sàng để nhập.</Notice>
          <div class="scroll" tabIndex={0} role="region" aria-label="Các báo cáo sẽ nhập">
            <table class="grid">
              <caption>Các báo cáo sẽ nhập</caption>
              <thead><tr><th scope="col">Đơn vị</th><th scope="col">Số chỉ tiêu có số liệu</th><th scope="col">Ghi chú</th><th scope="col">Kết quả</th></tr></thead>
              <tbody>
                {check.reports.map((r, i) => {
                  const row = rows?.[i];
                  return (
                    <tr key={r.unit_id}>
                      <th scope="row">{r.unit_name}</th>
                      <td class="num">{num(Object.keys(r.values).length)}</td>
                      <td>{r.etag ? "Thay thế báo cáo đã có" : "Báo cáo mới"}</td>
                      <td>{row ? stateText(row) : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {rows && <p role="status">Đã gửi {done}/{rows.length} báo cáo.</p>}
          {rows && <progress max={rows.length} value={done} aria-label="Tiến độ nhập" />}
          {finished && done === rows!.length && <Notice kind="ok">Đã nhập {num(done)} báo cáo.</Notice>}
          {!rows && <div class="actions"><button type="button" class="button" disabled={busy} onClick={confirm}>Xác nhận nhập</button></div>}
        </>
      )}
    </section>
  );
}

function stateText(row: Row): string {
  switch (row.state) {
    case "waiting": return "Chờ";
    case "sending": return "Đang gửi…";
    case "sent": return `Đã gửi (${row.message})`;
    case "queued": return "Đang chờ gửi";
    default: return `Không nhập được: ${row.message}`;
  }
}
