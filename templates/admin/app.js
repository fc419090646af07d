// Trang quản trị thidua: plain JavaScript, no framework and no build step.
//
// Everything on the page comes from the JSON API of the same origin, called with the
// bearer token the administrator typed in. The page's Content-Security-Policy forbids
// inline code and every other host, so all markup is built here with DOM calls (never
// innerHTML: names and notes come from units and must not become markup).
"use strict";

(() => {
  const TOKEN_KEY = "thidua.admin.token";
  const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const MAX_BULK = 40; // the API decides at most 40 nominations per request (one DynamoDB transaction)
  const TZ = "Asia/Ho_Chi_Minh";

  // The page is served at <prefix>/admin: no prefix under `chalice local`, the stage
  // name ("/api") behind API Gateway. The API lives under the same prefix.
  const BASE = location.pathname.replace(/\/admin\/?$/, "");

  const ROLE_NAMES = { admin: "Quản trị viên", leader: "Lãnh đạo", unit: "Đơn vị" };
  const STATUS = {
    pending: { label: "Chờ xét", badge: "badge-neutral" },
    approved: { label: "Đã duyệt", badge: "badge-green" },
    rejected: { label: "Từ chối", badge: "badge-red" },
    held: { label: "Tạm hoãn", badge: "badge-amber" },
  };
  const DECISIONS = {
    approve: { button: "Duyệt", done: "Đã duyệt", css: "btn-approve", status: "approved" },
    reject: { button: "Từ chối", done: "Đã từ chối", css: "btn-reject", status: "rejected" },
    hold: { button: "Tạm hoãn", done: "Đã tạm hoãn", css: "btn-hold", status: "held" },
  };

  const state = {
    token: null,
    me: null,
    conferences: [],
    conferencesLoaded: false,
    shortlist: null,
    selected: new Set(), // nomination ids ticked for the bulk approval
    busy: false,
  };

  const $ = (id) => document.getElementById(id);

  // el("td", {className: "num", dataset: {id: 1}}, "text", childNode, ...)
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // -- formatting (Vietnamese conventions: 85,7%, 31/08/2021 17:00) ---------------------

  const numberFmt = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  const percentFmt = new Intl.NumberFormat("vi-VN", { style: "percent", maximumFractionDigits: 1 });
  const dateFmt = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, day: "2-digit", month: "2-digit", year: "numeric" });
  const dateTimeFmt = new Intl.DateTimeFormat("vi-VN", {
    timeZone: TZ, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const score = (value) => (value === null || value === undefined ? "—" : numberFmt.format(value));
  const percent = (rate) => (rate === null || rate === undefined ? "—" : percentFmt.format(rate));
  const when = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : "");
  // A plain date ("2021-08-31") is a calendar day, not an instant: format it without a zone shift.
  const day = (isoDate) => {
    const [y, m, d] = String(isoDate).split("-");
    return d && m && y ? `${d}/${m}/${y}` : String(isoDate);
  };

  // For searching: "nghe an" finds "Nghệ An" (strip diacritics, đ → d, case-insensitive).
  const fold = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();

  // -- the API -------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  const FALLBACK = {
    401: "Mã truy cập không đúng hoặc đã bị thu hồi.",
    403: "Mã truy cập này không có quyền thực hiện thao tác.",
    404: "Không tìm thấy.",
    409: "Xung đột với trạng thái hiện tại.",
    412: "Dữ liệu vừa được thay đổi ở nơi khác; hãy tải lại rồi thử lại.",
    422: "Dữ liệu không hợp lệ.",
    423: "Đã khóa, không thể thay đổi.",
    503: "Máy chủ tạm thời không phục vụ được; vui lòng thử lại sau giây lát.",
  };

  // The API answers errors as application/problem+json with a Vietnamese `detail`
  // and, for invalid fields, `errors: [{field, message}]`.
  async function problemOf(resp) {
    let problem = {};
    try {
      problem = await resp.json();
    } catch {
      // not JSON (a gateway error page): fall back to the status
    }
    let message = problem.detail || FALLBACK[resp.status] || `Lỗi máy chủ (${resp.status}).`;
    const fields = (problem.errors || []).map((e) => e.message).filter((m) => m && !message.includes(m));
    if (fields.length) message += ` ${fields.join(" ")}`;
    return new ApiError(resp.status, message);
  }

  async function request(method, path, { body, headers = {}, accept = "application/json" } = {}) {
    const init = {
      method,
      headers: { Accept: accept, Authorization: `Bearer ${state.token}`, ...headers },
      cache: "no-store",
      credentials: "omit",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(BASE + path, init);
    } catch {
      throw new ApiError(0, "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    }
    if (!resp.ok) {
      const error = await problemOf(resp);
      // A revoked or expired token mid-session: back to the sign-in form.
      if (resp.status === 401 && state.me) signOut("Phiên làm việc đã hết hiệu lực: " + error.message);
      throw error;
    }
    return resp;
  }

  async function getJson(path) {
    const resp = await request("GET", path);
    return { data: await resp.json(), etag: resp.headers.get("ETag") };
  }

  async function postJson(path, body, headers) {
    const resp = await request("POST", path, { body, headers });
    return resp.status === 204 ? null : resp.json();
  }

  // -- the status area -----------------------------------------------------------------

  function say(text, kind = "info") {
    const box = $("status");
    if (text) box.replaceChildren(el("p", { className: `message message-${kind}` }, text));
    else box.replaceChildren();
  }

  function setBusy(busy) {
    state.busy = busy;
    document.body.classList.toggle("is-busy", busy);
    if (state.shortlist) updateActionStates();
  }

  // Runs one action: shows progress, then the result or the API's `detail`, and
  // always reloads the shortlist afterwards (a failure is often a stale list).
  async function runAction(label, action, { reload = true } = {}) {
    if (state.busy) return;
    setBusy(true);
    say(label + "…", "info");
    let message;
    let kind = "success";
    try {
      message = await action();
    } catch (error) {
      message = error.message || String(error);
      kind = "error";
    }
    try {
      if (reload && state.me) await loadShortlist();
    } catch (error) {
      if (kind === "success") {
        message += ` Tuy nhiên, chưa tải lại được danh sách: ${error.message}`;
        kind = "error";
      }
    } finally {
      setBusy(false);
    }
    if (state.me) say(message, kind);
  }

  // -- signing in and out ----------------------------------------------------------------

  async function signIn(token, { remembered = false } = {}) {
    state.token = token;
    const errorBox = $("sign-in-error");
    errorBox.hidden = true;
    try {
      const { data: me } = await getJson("/v1/me");
      if (me.role !== "admin") {
        state.token = null;
        sessionStorage.removeItem(TOKEN_KEY);
        const who = me.name ? ` (${me.name})` : "";
        showSignInError(`Mã truy cập này thuộc vai trò “${ROLE_NAMES[me.role] || me.role}”${who}. ` +
          "Trang quản trị chỉ dành cho quản trị viên; hãy dùng mã truy cập của quản trị viên.");
        return;
      }
      state.me = me;
      sessionStorage.setItem(TOKEN_KEY, token);
      showWorkspace();
    } catch (error) {
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      showSignInError(remembered ? `Cần đăng nhập lại. ${error.message}` : error.message);
    }
  }

  function showSignInError(text) {
    const box = $("sign-in-error");
    box.textContent = text;
    box.hidden = false;
  }

  function showWorkspace() {
    $("who-name").textContent = state.me.name || "Quản trị viên";
    $("who-role").textContent = ROLE_NAMES[state.me.role] || state.me.role;
    $("who").hidden = false;
    $("sign-in").hidden = true;
    $("workspace").hidden = false;
    $("token").value = "";
    say("");
    selectTab("completeness");
    loadCompleteness();
  }

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    Object.assign(state, { token: null, me: null, conferences: [], conferencesLoaded: false, shortlist: null });
    state.selected.clear();
    // Leave nothing of the previous session on the page.
    $("completeness-rows").replaceChildren();
    $("completeness-summary").replaceChildren();
    $("completeness-table").hidden = true;
    $("shortlist").replaceChildren();
    $("conference").replaceChildren();
    $("conference-info").replaceChildren();
    say("");
    $("who").hidden = true;
    $("workspace").hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").hidden = true;
    if (reason) showSignInError(reason);
    $("token").focus();
  }

  // -- tabs --------------------------------------------------------------------------------

  const TABS = ["completeness", "awards"];

  function selectTab(name) {
    for (const tab of TABS) {
      const active = tab === name;
      const button = $(`tab-${tab}`);
      button.setAttribute("aria-selected", String(active));
      button.tabIndex = active ? 0 : -1;
      $(`panel-${tab}`).hidden = !active;
    }
    if (name === "awards" && !state.conferencesLoaded) loadConferences();
  }

  // -- tab 1: completeness ----------------------------------------------------------------

  // The month before this one, in Hà Nội time: the period administrators follow up.
  function previousMonth() {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit" })
      .formatToParts(new Date());
    let year = Number(parts.find((p) => p.type === "year").value);
    let month = Number(parts.find((p) => p.type === "month").value) - 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
    return `${year}-${String(month).padStart(2, "0")}`;
  }

  let completenessTicket = 0;
  const PERIOD = /^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3])|Q[1-4])$/;

  function stateBadge(row) {
    if (!row.expected) return el("span", { className: "badge badge-muted" }, row.label);
    const css = {
      missing: "badge-red",
      returned: "badge-purple",
      accepted: "badge-blue",
      submitted: row.timeliness === "late" ? "badge-amber" : "badge-green",
    }[row.state] || "badge-neutral";
    return el("span", { className: `badge ${css}` }, row.label);
  }

  function tile(label, value, css = "") {
    return el("div", { className: `tile ${css}` }, el("span", { className: "tile-value" }, value),
      el("span", { className: "tile-label" }, label));
  }

  async function loadCompleteness() {
    const input = $("period");
    const period = input.value.trim().toUpperCase().replace(/^(\d{4}-)([WQ])/, "$1$2");
    if (!PERIOD.test(period)) {
      say("Kỳ báo cáo không hợp lệ: nhập dạng 2021-08 (tháng), 2021-W35 (tuần) hoặc 2021-Q3 (quý).", "error");
      input.focus();
      return;
    }
    input.value = period;
    // Only the latest request may paint: an earlier, slower answer must not replace it.
    const ticket = ++completenessTicket;
    say("Đang tải tình hình nộp báo cáo…", "info");
    try {
      const { data } = await getJson(`/v1/periods/${encodeURIComponent(period)}/completeness`);
      if (ticket !== completenessTicket) return;
      renderCompleteness(data);
      say("");
    } catch (error) {
      if (ticket === completenessTicket) say(error.message, "error");
    }
  }

  function renderCompleteness(data) {
    const t = data.totals;
    $("completeness-summary").replaceChildren(
      el("div", { className: "summary-head" },
        el("h2", {}, `Kỳ báo cáo: ${data.label}`),
        el("p", { className: "hint" }, `Hạn nộp: ${when(data.deadline)}`)),
      el("div", { className: "tiles" },
        tile("Tỷ lệ nộp", percent(data.rates.reporting), "tile-strong"),
        tile("Tỷ lệ đúng hạn", percent(data.rates.on_time), "tile-strong"),
        tile("Phải nộp", t.expected),
        tile("Đã nộp", t.complete, "tile-green"),
        tile("Đúng hạn", t.on_time, "tile-green"),
        tile("Nộp muộn", t.late, "tile-amber"),
        tile("Chưa nộp", t.missing, "tile-red"),
        tile("Bị trả lại", t.returned, "tile-purple"),
        tile("Đã duyệt", t.accepted, "tile-blue")));
    const rows = data.rows.map((row) => {
      const c = row.counts;
      // Indent by depth in the unit tree (classes, since the CSP forbids inline styles).
      const name = el("td", { className: `col-unit depth-${Math.min(row.depth, 6)}` },
        row.depth > 0 ? el("span", { className: "tree-mark", "aria-hidden": "true" }, "└") : null,
        el("span", { className: row.depth === 0 ? "unit-root" : "" }, row.name));
      return el("tr", { dataset: { unitId: row.unit_id } },
        name,
        el("td", {}, stateBadge(row)),
        el("td", { className: "num" }, c.expected),
        el("td", { className: "num" }, c.complete),
        el("td", { className: "num" }, c.on_time),
        el("td", { className: "num" }, c.late),
        el("td", { className: `num ${c.missing ? "text-red" : ""}` }, c.missing),
        el("td", { className: "num" }, c.returned),
        el("td", { className: "num" }, percent(row.rates.reporting)),
        el("td", { className: "num" }, percent(row.rates.on_time)));
    });
    $("completeness-rows").replaceChildren(...rows);
    $("completeness-table").hidden = false;
  }

  // -- tab 2: awards: conferences ----------------------------------------------------------

  async function loadConferences() {
    say("Đang tải danh sách hội nghị…", "info");
    try {
      const all = [];
      let cursor = null;
      // Follow `next` (100 per page); a ministry holds a handful of conferences a year.
      for (let page = 0; page < 20; page++) {
        const query = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const { data } = await getJson(`/v1/conferences${query}`);
        all.push(...data.items);
        cursor = data.next;
        if (!cursor) break;
      }
      all.sort((a, b) => String(b.date).localeCompare(String(a.date)) || String(b.id).localeCompare(String(a.id)));
      state.conferences = all;
      state.conferencesLoaded = true;
      renderConferencePicker();
      if (all.length) {
        await loadShortlist();
        say("");
      } else {
        state.shortlist = null;
        $("shortlist").replaceChildren(el("p", { className: "empty" }, "Chưa có hội nghị nào."));
        updateActionStates();
        say("");
      }
    } catch (error) {
      say(error.message, "error");
    }
  }

  function renderConferencePicker() {
    const picker = $("conference");
    const keep = picker.value;
    picker.replaceChildren(...state.conferences.map((c) => el("option", { value: c.id },
      `${day(c.date)} — ${c.title}${c.finalised_at ? " (đã chốt)" : ""}`)));
    if (keep && state.conferences.some((c) => c.id === keep)) picker.value = keep;
  }

  const currentConference = () => state.conferences.find((c) => c.id === $("conference").value) || null;

  // -- tab 2: the shortlist ----------------------------------------------------------------

  async function loadShortlist() {
    const conference = currentConference();
    if (!conference) return;
    // The shortlist comes in pages (100 rows each, achievements shortened): follow `next`
    // and join them; the quota summary and the finalised state are the same on every page.
    const path = `/v1/conferences/${encodeURIComponent(conference.id)}/shortlist`;
    let data = null;
    const seen = new Set();
    let cursor = null;
    for (let page = 0; page < 100; page++) {
      const query = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { data: part } = await getJson(`${path}${query}`);
      if (conference !== currentConference()) return; // the picker moved on while this was loading
      // a row that moved up a page between two requests is shown once
      const fresh = part.items.filter((r) => !seen.has(r.nomination.id));
      for (const r of fresh) seen.add(r.nomination.id);
      data = data ? { ...part, items: [...data.items, ...fresh] } : { ...part, items: fresh };
      cursor = part.next;
      if (!cursor) break;
    }
    state.shortlist = data;
    // The picker's "(đã chốt)" follows the list.
    if (Boolean(conference.finalised_at) !== Boolean(data.finalised_at)) {
      conference.finalised_at = data.finalised_at;
      renderConferencePicker();
    }
    // Forget ticks on rows that left the list or can no longer be approved.
    const selectable = new Set(data.items.filter((r) => r.nomination.status !== "approved").map((r) => r.nomination.id));
    for (const id of [...state.selected]) if (!selectable.has(id)) state.selected.delete(id);
    renderShortlist();
  }

  function renderFormFilter() {
    const select = $("filter-form");
    const keep = select.value;
    const forms = state.shortlist.quotas.filter((q) => q.nominated > 0 || q.quota !== null);
    select.replaceChildren(el("option", { value: "" }, "Tất cả"),
      ...forms.map((q) => el("option", { value: q.award_form }, q.name)));
    select.value = forms.some((q) => q.award_form === keep) ? keep : "";
  }

  function matches(row) {
    const form = $("filter-form").value;
    const status = $("filter-status").value;
    const text = fold($("filter-text").value);
    if (form && row.nomination.award_form !== form) return false;
    if (status && row.nomination.status !== status) return false;
    if (text) {
      const haystack = fold([row.nomination.name, row.nomination.position, row.unit_name, row.nominee_unit_name].join(" "));
      if (!haystack.includes(text)) return false;
    }
    return true;
  }

  function renderConferenceInfo(conference) {
    const finalised = state.shortlist.finalised_at;
    const info = $("conference-info");
    info.replaceChildren(...[ // (replaceChildren would print a null as "null")
      el("dl", { className: "facts" },
        el("div", {}, el("dt", {}, "Hội nghị"), el("dd", {}, conference.title)),
        el("div", {}, el("dt", {}, "Ngày họp"), el("dd", {}, day(conference.date))),
        el("div", {}, el("dt", {}, "Kỳ báo cáo"), el("dd", {}, (conference.periods || []).join(", "))),
        el("div", {}, el("dt", {}, "Trạng thái"), el("dd", {},
          finalised ? el("span", { className: "badge badge-blue" }, "Đã chốt")
            : el("span", { className: "badge badge-neutral" }, "Đang xét")))),
      finalised ? el("p", { className: "message message-locked", id: "finalised-banner" },
        `Danh sách đã được chốt lúc ${when(finalised)}. Không thể thay đổi quyết định nữa.`) : null,
    ].filter(Boolean));
  }

  function quotaText(q) {
    if (q.quota === null || q.quota === undefined) {
      return `Không giới hạn chỉ tiêu — đã duyệt ${q.approved} · ${q.nominated} đề nghị`;
    }
    return `Chỉ tiêu: ${q.quota} — đã duyệt ${q.approved}/${q.quota} · ${q.nominated} đề nghị`;
  }

  function renderShortlist() {
    const list = state.shortlist;
    const conference = currentConference();
    renderConferenceInfo(conference);
    renderFormFilter();
    const finalised = Boolean(list.finalised_at);
    const groups = [];
    for (const q of list.quotas) {
      const rows = list.items.filter((r) => r.nomination.award_form === q.award_form);
      if (!rows.length && q.quota === null) continue;
      if ($("filter-form").value && $("filter-form").value !== q.award_form) continue;
      groups.push(renderGroup(q, rows, finalised));
    }
    const container = $("shortlist");
    if (!list.items.length) {
      container.replaceChildren(el("p", { className: "empty" }, "Hội nghị này chưa có đề nghị khen thưởng nào."));
    } else {
      container.replaceChildren(...groups);
    }
    updateActionStates();
  }

  function renderGroup(q, rows, finalised) {
    const over = q.quota !== null && q.approved > q.quota;
    const visible = rows.filter(matches);
    const head = el("div", { className: "group-head" },
      el("h3", {}, q.name),
      el("p", { className: `quota ${over ? "quota-over" : ""}` }, quotaText(q),
        over ? el("strong", {}, " — vượt chỉ tiêu, cần điều chỉnh trước khi chốt") : null));
    if (!rows.length) {
      return el("section", { className: "group", dataset: { awardForm: q.award_form } }, head,
        el("p", { className: "empty" }, "Chưa có đề nghị."));
    }
    const selectable = visible.filter((r) => !finalised && r.nomination.status !== "approved");
    const all = el("input", {
      type: "checkbox", className: "check-all", title: "Chọn tất cả trong nhóm",
      "aria-label": `Chọn tất cả đề nghị ${q.name}`, disabled: !selectable.length,
    });
    // Ticking updates the counters in place (no re-render: the focus stays where it is).
    const boxes = [];
    const syncAll = () => {
      all.checked = selectable.length > 0 && selectable.every((r) => state.selected.has(r.nomination.id));
      updateActionStates();
    };
    const toggle = (id, on) => {
      if (on) state.selected.add(id);
      else state.selected.delete(id);
      syncAll();
    };
    all.addEventListener("change", () => {
      for (const box of boxes) {
        if (box.disabled) continue;
        box.checked = all.checked;
        toggle(box.dataset.id, all.checked);
      }
    });
    const body = el("tbody");
    // The quota rule goes under the last row that still counts within the quota
    // (rejected rows give up their place, so within-quota rows need not be contiguous).
    const lastWithin = q.quota === null ? -1 : visible.map((r) => r.within_quota).lastIndexOf(true);
    if (q.quota !== null && lastWithin === -1 && visible.length) body.append(quotaRule(q));
    visible.forEach((row, i) => {
      const tr = renderRow(row, finalised, toggle);
      boxes.push(tr.querySelector(".row-check"));
      body.append(tr);
      if (i === lastWithin) body.append(quotaRule(q));
    });
    if (!visible.length) {
      body.append(el("tr", {}, el("td", { colSpan: 9, className: "empty" }, "Không có đề nghị nào khớp bộ lọc.")));
    }
    syncAll();
    const table = el("table", { className: "grid shortlist-table" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", className: "col-check" }, all),
        el("th", { scope: "col", className: "num col-rank" }, "Hạng"),
        el("th", { scope: "col", className: "col-name" }, "Người / tập thể được đề nghị"),
        el("th", { scope: "col", className: "col-unit" }, "Đơn vị"),
        el("th", { scope: "col", className: "num col-score" }, "Tự động"),
        el("th", { scope: "col", className: "num col-score" }, "Người chấm"),
        el("th", { scope: "col", className: "num col-score" }, "Tổng"),
        el("th", { scope: "col", className: "col-status" }, "Trạng thái"),
        el("th", { scope: "col", className: "col-actions" }, "Quyết định"))),
      body);
    return el("section", { className: "group", dataset: { awardForm: q.award_form } }, head,
      el("div", { className: "table-wrap" }, table));
  }

  function quotaRule(q) {
    return el("tr", { className: "quota-rule", "aria-label": "Vạch chỉ tiêu" },
      el("td", { colSpan: 9 }, el("span", {}, `Vạch chỉ tiêu (${q.quota}) — các đề nghị dưới vạch vượt chỉ tiêu`)));
  }

  function renderRow(row, finalised, toggle) {
    const n = row.nomination;
    const status = STATUS[n.status] || { label: n.status, badge: "badge-neutral" };
    const check = el("input", {
      type: "checkbox", className: "row-check", checked: state.selected.has(n.id), dataset: { id: n.id },
      disabled: finalised || n.status === "approved", "aria-label": `Chọn ${n.name}`,
    });
    check.addEventListener("change", () => toggle(n.id, check.checked));
    const who = el("td", { className: "col-name" },
      el("span", { className: "nominee" }, n.name),
      el("span", { className: "sub" }, n.kind === "individual" ? `Cá nhân${n.position ? " — " + n.position : ""}` : "Tập thể"));
    const unit = el("td", { className: "col-unit" }, row.nominee_unit_name || n.nominee_unit_id,
      row.unit_name && row.unit_name !== row.nominee_unit_name
        ? el("span", { className: "sub" }, `Đơn vị đề nghị: ${row.unit_name}`) : null);
    const reviewers = row.score.reviewers === null
      ? el("span", { className: "muted", title: "Chưa có người chấm" }, "—")
      : el("span", { title: `${row.score.reviewer_count} người chấm` }, score(row.score.reviewers),
        el("span", { className: "sub-inline" }, ` (${row.score.reviewer_count})`));
    const note = n.decision && n.decision.note ? el("span", { className: "sub decision-note" },
      `${n.decision.decision === "reject" ? "Lý do" : "Ghi chú"}: ${n.decision.note}`) : null;
    const buttons = Object.entries(DECISIONS).map(([decision, d]) => {
      const button = el("button", {
        type: "button", className: `btn btn-small ${d.css}`, dataset: { action: decision },
        disabled: finalised || n.status === d.status, title: `${d.button}: ${n.name}`,
      }, d.button);
      button.addEventListener("click", () => decideOne(row, decision));
      return button;
    });
    const classes = [row.within_quota ? "in-quota" : "out-quota", `status-${n.status}`];
    return el("tr", { className: classes.join(" "), dataset: { nominationId: n.id, status: n.status } },
      el("td", { className: "col-check" }, check),
      el("td", { className: "num col-rank" }, row.rank),
      who,
      unit,
      el("td", { className: "num" }, score(row.score.automatic)),
      el("td", { className: "num" }, reviewers),
      el("td", { className: "num total" }, score(row.score.total)),
      el("td", { className: "col-status" }, el("span", { className: `badge ${status.badge}` }, status.label), note),
      el("td", { className: "col-actions" }, el("div", { className: "actions" }, buttons)));
  }

  // Buttons follow the state: nothing changes while a request runs or after finalising.
  function updateActionStates() {
    const list = state.shortlist;
    const finalised = Boolean(list && list.finalised_at);
    const none = !list;
    const count = state.selected.size;
    $("selection-count").textContent = count ? `Đã chọn ${count} mục` : "";
    $("bulk-approve").disabled = state.busy || finalised || none || count === 0;
    $("finalise").disabled = state.busy || finalised || none;
    $("download").disabled = state.busy || none;
    $("reload").disabled = state.busy || none;
    $("conference").disabled = state.busy;
    for (const tr of $("shortlist").querySelectorAll("tr[data-nomination-id]")) {
      for (const button of tr.querySelectorAll("button[data-action]")) {
        button.disabled = state.busy || finalised || tr.dataset.status === DECISIONS[button.dataset.action].status;
      }
    }
  }

  // -- decisions -----------------------------------------------------------------------------

  // The note dialog for "Từ chối" (note required) and "Tạm hoãn" (note optional).
  // Resolves to the note, or null when cancelled. A <dialog>, not window.prompt:
  // it can say why a note is needed and it keeps the page's look.
  function askNote(row, decision) {
    const dialog = $("decision-dialog");
    const form = $("decision-form");
    const note = $("decision-note");
    const error = $("decision-error");
    const reject = decision === "reject";
    $("decision-title").textContent = reject ? "Từ chối đề nghị" : "Tạm hoãn đề nghị";
    $("decision-subject").textContent = `${row.nomination.name} — ${row.award_form_name}`;
    $("decision-note-label").textContent = reject ? "Lý do từ chối (bắt buộc)" : "Ghi chú (không bắt buộc)";
    $("decision-confirm").textContent = reject ? "Xác nhận từ chối" : "Xác nhận tạm hoãn";
    $("decision-confirm").className = `btn ${reject ? "btn-danger" : "btn-warning"}`;
    note.value = "";
    error.hidden = true;
    return new Promise((resolve) => {
      const finish = (value) => {
        form.removeEventListener("submit", onSubmit);
        $("decision-cancel").removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        dialog.close();
        resolve(value);
      };
      const onSubmit = (event) => {
        event.preventDefault(); // never a real form submission (the CSP forbids form actions anyway)
        const text = note.value.trim();
        if (reject && !text) {
          error.textContent = "Vui lòng nhập lý do từ chối: đề nghị bị từ chối phải kèm ghi chú nêu lý do.";
          error.hidden = false;
          note.focus();
          return;
        }
        finish(text);
      };
      const onCancel = (event) => {
        event.preventDefault();
        finish(null);
      };
      form.addEventListener("submit", onSubmit);
      $("decision-cancel").addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel); // Esc
      dialog.showModal();
      note.focus();
    });
  }

  function confirmFinalise(conference) {
    const dialog = $("confirm-dialog");
    const form = $("confirm-form");
    const approved = state.shortlist.quotas.reduce((sum, q) => sum + q.approved, 0);
    $("confirm-text").textContent =
      `Hội nghị “${conference.title}” (${day(conference.date)}): ${approved} đề nghị đã được duyệt.`;
    return new Promise((resolve) => {
      const finish = (value) => {
        form.removeEventListener("submit", onSubmit);
        $("confirm-cancel").removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        dialog.close();
        resolve(value);
      };
      const onSubmit = (event) => {
        event.preventDefault();
        finish(true);
      };
      const onCancel = (event) => {
        event.preventDefault();
        finish(false);
      };
      form.addEventListener("submit", onSubmit);
      $("confirm-cancel").addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      $("confirm-cancel").focus(); // the safe choice has the focus
    });
  }

  // The current ETag of a nomination: decisions are conditional (If-Match), so a
  // decision never overwrites a change the administrator has not seen.
  async function currentEtag(id) {
    const { etag } = await getJson(`/v1/nominations/${encodeURIComponent(id)}`);
    return etag;
  }

  async function decideOne(row, decision) {
    if (state.busy) return;
    const n = row.nomination;
    let note = "";
    if (decision !== "approve") {
      note = await askNote(row, decision);
      if (note === null) return;
    }
    const d = DECISIONS[decision];
    await runAction(`Đang ghi quyết định “${d.button}” cho ${n.name}`, async () => {
      const etag = await currentEtag(n.id);
      await postJson(`/v1/nominations/${encodeURIComponent(n.id)}/decision`, { decision, note }, { "If-Match": etag });
      state.selected.delete(n.id);
      return `${d.done} đề nghị “${n.name}”.`;
    });
  }

  async function approveSelected() {
    const conference = currentConference();
    const rows = state.shortlist.items.filter((r) => state.selected.has(r.nomination.id)
      && r.nomination.status !== "approved");
    if (!rows.length) {
      say("Chưa chọn đề nghị nào để duyệt.", "error");
      return;
    }
    if (rows.length > MAX_BULK) {
      say(`Mỗi lần chỉ duyệt được tối đa ${MAX_BULK} đề nghị; đang chọn ${rows.length}.`, "error");
      return;
    }
    await runAction(`Đang duyệt ${rows.length} đề nghị`, async () => {
      // All or nothing on the server: every item carries the ETag read just now.
      const etags = await Promise.all(rows.map((r) => currentEtag(r.nomination.id)));
      const items = rows.map((r, i) => ({ nomination_id: r.nomination.id, etag: etags[i], decision: "approve", note: "" }));
      await postJson(`/v1/conferences/${encodeURIComponent(conference.id)}/decisions`, { items });
      state.selected.clear();
      return `Đã duyệt ${rows.length} đề nghị: ${rows.map((r) => r.nomination.name).join("; ")}.`;
    });
  }

  async function finalise() {
    const conference = currentConference();
    if (!conference || state.busy) return;
    if (!(await confirmFinalise(conference))) return;
    await runAction("Đang chốt danh sách", async () => {
      // Finalising is conditional (If-Match): what is locked is the conference as read just now.
      const path = `/v1/conferences/${encodeURIComponent(conference.id)}`;
      const read = await request("GET", path);
      await postJson(`${path}/finalise`, undefined, { "If-Match": read.headers.get("ETag") });
      state.selected.clear();
      return "Đã chốt danh sách khen thưởng. Văn bản chính thức sẽ được lập trong ít phút.";
    });
  }

  // The workbook needs the bearer token, so a plain link cannot fetch it: fetch it here
  // and hand the bytes to the browser as a download through a temporary Blob URL.
  async function downloadWorkbook() {
    const conference = currentConference();
    if (!conference) return;
    await runAction("Đang tạo tệp Excel", async () => {
      const resp = await request("GET", `/v1/conferences/${encodeURIComponent(conference.id)}/shortlist`,
        { accept: XLSX });
      const blob = await resp.blob();
      const disposition = resp.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const name = match ? match[1] : `danh-sach-de-nghi-khen-thuong-${conference.id}.xlsx`;
      const url = URL.createObjectURL(blob);
      const link = el("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return `Đã tải tệp Excel “${name}”.`;
    }, { reload: false });
  }

  // -- wiring ------------------------------------------------------------------------------

  function wire() {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      if (!token) {
        showSignInError("Vui lòng nhập mã truy cập.");
        $("token").focus();
        return;
      }
      // A header value must be plain ASCII; fetch would otherwise fail as if offline.
      if (!/^[\x21-\x7e]+$/.test(token)) {
        showSignInError("Mã truy cập không đúng định dạng: chỉ gồm chữ cái không dấu, chữ số và các ký tự _ -.");
        $("token").focus();
        return;
      }
      signIn(token);
    });
    $("sign-out").addEventListener("click", () => signOut());

    for (const tab of TABS) $(`tab-${tab}`).addEventListener("click", () => selectTab(tab));
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
    document.querySelector("[role=tablist]").addEventListener("keydown", (event) => {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      const current = TABS.findIndex((t) => $(`tab-${t}`).getAttribute("aria-selected") === "true");
      const next = TABS[(current + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
      selectTab(next);
      $(`tab-${next}`).focus();
    });

    $("period").value = previousMonth();
    $("period-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadCompleteness();
    });

    $("conference").addEventListener("change", () => {
      state.selected.clear();
      runAction("Đang tải danh sách đề nghị", async () => "");
    });
    $("reload").addEventListener("click", () => {
      runAction("Đang tải lại danh sách", async () => "Đã tải lại danh sách đề nghị.");
    });
    for (const id of ["filter-form", "filter-status"]) {
      $(id).addEventListener("change", () => state.shortlist && renderShortlist());
    }
    $("filter-text").addEventListener("input", () => state.shortlist && renderShortlist());
    $("bulk-approve").addEventListener("click", approveSelected);
    $("finalise").addEventListener("click", finalise);
    $("download").addEventListener("click", downloadWorkbook);
  }

  wire();
  const remembered = sessionStorage.getItem(TOKEN_KEY);
  if (remembered) signIn(remembered, { remembered: true });
  else $("token").focus();
})();
