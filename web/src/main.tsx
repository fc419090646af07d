import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, apiBase, loadSession, saveSession, whenUnauthorized } from "./api/client";
import type { Me } from "./api/types";
import { go, href, useRoute } from "./lib/router";
import { startOutbox } from "./lib/outbox";
import { Heading, Loading, Notice, SignOutContext, WhoContext, lazyScreen, type Who } from "./ui";
import { SignIn } from "./screens/SignIn";
import { SetPassword } from "./screens/SetPassword";
import { Home } from "./screens/Home";
import { ReportForm } from "./screens/ReportForm";
import "./styles.css";

const Security = lazyScreen(() => import("./screens/Security"));
const History = lazyScreen(() => import("./screens/History"));
const Import = lazyScreen(() => import("./screens/Import"));
const Nominations = lazyScreen(() => import("./screens/Nominations"));
const Accounts = lazyScreen(() => import("./screens/Accounts"));
// The office's and leaders' screens, one folder per job.
const Units = lazyScreen(() => import("./screens/units/Units"));
const Tokens = lazyScreen(() => import("./screens/units/Tokens"));
const Cycle = lazyScreen(() => import("./screens/cycle/Cycle"));
const ReportReview = lazyScreen(() => import("./screens/cycle/ReportReview"));
const Conferences = lazyScreen(() => import("./screens/conferences/Conferences"));
const Conference = lazyScreen(() => import("./screens/conferences/Conference"));
const Shortlist = lazyScreen(() => import("./screens/shortlist/Shortlist"));
const Scoring = lazyScreen(() => import("./screens/scoring/Scoring"));
const Trends = lazyScreen(() => import("./screens/trends/Trends"));
const Register = lazyScreen(() => import("./screens/register/Register"));
const RegisterImport = lazyScreen(() => import("./screens/register/RegisterImport"));
// The document chain: the signer's page (the trình ký email's link) and the public verification page.
const SignDocument = lazyScreen(() => import("./screens/documents/SignDocument"));
const Verify = lazyScreen(() => import("./screens/documents/Verify"));

function toWho(me: Me): Who {
  return {
    role: me.role,
    unitId: me.unit?.id ?? me.unit_id ?? null,
    unitName: me.unit?.name ?? null,
    account: me.account ?? null,
    factors: me.factors ?? null,
    needsSecondFactor: !!me.needs_second_factor,
    name: me.account?.name ?? me.name,
  };
}

const ME_KEY = "thidua.me";

function rememberedMe(token: string): Me | null {
  try {
    const kept = JSON.parse(localStorage.getItem(ME_KEY) ?? "null") as { token: string; me: Me } | null;
    return kept?.token === token ? kept.me : null;
  } catch {
    return null;
  }
}

/** Once the service worker controls the page, read what the portal needs offline so it is cached. */
function warmCache(): void {
  if (!loadSession()) return;
  void api.GET("/v1/me").catch(() => undefined);
  void api.GET("/v1/indicators").catch(() => undefined);
  void api.GET("/v1/award-forms").catch(() => undefined);
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState(loadSession);
  const [who, setWho] = useState<Who | null>(null);
  const [meError, setMeError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [online, setOnline] = useState(navigator.onLine);

  useEffect(() => {
    whenUnauthorized(() => {
      saveSession(null);
      localStorage.removeItem(ME_KEY);
      setSession(null);
      setWho(null);
      setNotice("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.");
    });
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    startOutbox();
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  useEffect(() => {
    if (!session) return;
    let cancelled = false;
    setMeError(null);
    api.GET("/v1/me").then(({ data }) => {
      if (cancelled) return;
      if (data) {
        localStorage.setItem(ME_KEY, JSON.stringify({ token: session.token, me: data }));
        setWho(toWho(data));
      } else setMeError("Không đọc được thông tin tài khoản.");
    }, () => {
      if (cancelled) return;
      // Offline: who this session is was kept at the last successful read.
      const kept = rememberedMe(session.token);
      if (kept) setWho(toWho(kept));
      else setMeError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi tải lại trang.");
    });
    return () => {
      cancelled = true;
    };
  }, [session?.token]);

  const [first, ...rest] = route.path;

  if (first === "dat-mat-khau") {
    return <Shell online={online}><SetPassword token={route.query.get("token") ?? ""} onDone={(msg) => {
      // The person who just chose a password signs in next, whoever was signed in on this browser.
      if (session) {
        void fetch(`${apiBase()}/v1/sessions/current`, {
          method: "DELETE", headers: { Authorization: `Bearer ${session.token}` },
        }).catch(() => undefined);
      }
      saveSession(null);
      localStorage.removeItem(ME_KEY);
      setSession(null);
      setWho(null);
      setNotice(msg);
      go("#/");
    }} /></Shell>;
  }
  if (first === "xac-thuc" && rest.length === 1 && !session) {
    // Anyone holding the paper or the file may check it: no sign-in (signed in: the same page, with the menu).
    return <Shell online={online}><Verify documentId={rest[0]} /></Shell>;
  }
  if (!session) {
    return <Shell online={online}><SignIn notice={notice} onSignedIn={(s) => {
      saveSession(s);
      setNotice(null);
      setWho(null);
      setSession(s);
      if (first === "dang-nhap") go("#/");
    }} /></Shell>;
  }
  if (!who) {
    return <Shell online={online}>{meError ? <Notice kind="error">{meError}</Notice> : <Loading />}</Shell>;
  }

  const signOut = async (message = "Đã đăng xuất.") => {
    try {
      await api.DELETE("/v1/sessions/current");
    } catch {
      // offline: the session ends by itself; forget it here
    }
    saveSession(null);
    localStorage.removeItem(ME_KEY);
    setSession(null);
    setWho(null);
    setNotice(message);
    if ("caches" in window) void caches.delete("thidua-api");
    go("#/");
  };

  let screen;
  if (who.needsSecondFactor || first === "bao-mat") {
    screen = <Security />;
  } else if (first === "bao-cao" && rest.length === 2) {
    screen = <ReportForm unitId={rest[0]} period={rest[1]} />;
  } else if (first === "lich-su" && rest.length === 1) {
    screen = <History unitId={rest[0]} />;
  } else if (first === "nhap-tu-tep" && rest.length === 2) {
    screen = <Import unitId={rest[0]} period={rest[1]} />;
  } else if (first === "de-nghi" && rest.length === 1) {
    screen = <Nominations unitId={rest[0]} />;
  } else if (first === "tai-khoan") {
    screen = who.role === "admin" ? <Accounts /> : <Forbidden />;
  } else if (first === "don-vi" && rest.length === 0) {
    screen = who.role === "admin" ? <Units /> : <Forbidden />;
  } else if (first === "ma-truy-cap" && rest.length === 0) {
    screen = who.role === "admin" ? <Tokens /> : <Forbidden />;
  } else if (first === "ky-bao-cao" && rest.length <= 1) {
    screen = who.role === "admin" ? <Cycle period={rest[0] ?? null} /> : <Forbidden />;
  } else if (first === "ky-bao-cao" && rest.length === 2) {
    screen = who.role === "admin" ? <ReportReview period={rest[0]} unitId={rest[1]} /> : <Forbidden />;
  } else if (first === "hoi-nghi" && rest.length === 0) {
    screen = who.role === "admin" ? <Conferences /> : <Forbidden />;
  } else if (first === "hoi-nghi" && rest.length === 1) {
    screen = who.role === "admin" ? <Conference conferenceId={rest[0] === "moi" ? null : rest[0]} /> : <Forbidden />;
  } else if (first === "xet-khen" && rest.length === 1) {
    screen = who.role === "admin" ? <Shortlist conferenceId={rest[0]} selected={route.query.get("de-nghi")} /> : <Forbidden />;
  } else if (first === "cham-diem" && rest.length <= 1) {
    screen = who.role === "leader" || who.role === "admin" ? <Scoring conferenceId={rest[0] ?? null} /> : <Forbidden />;
  } else if (first === "xu-huong" && rest.length === 0) {
    screen = who.role === "unit" ? <Forbidden /> : <Trends query={route.query} />;
  } else if (first === "so-khen-thuong" && rest.length === 0) {
    screen = <Register query={route.query} />;
  } else if (first === "so-khen-thuong" && rest.length === 1 && rest[0] === "nhap") {
    screen = who.role === "admin" ? <RegisterImport /> : <Forbidden />;
  } else if (first === "xac-thuc" && rest.length === 1) {
    screen = <Verify documentId={rest[0]} />;
  } else if (first === "van-ban" && rest.length === 1) {
    screen = <SignDocument documentId={rest[0]} />;
  } else if (!first) {
    screen = <Home notice={notice} />;
  } else {
    screen = <NotFound />;
  }

  return (
    <WhoContext.Provider value={who}>
      <SignOutContext.Provider value={(message) => void signOut(message)}>
        <Shell online={online} who={who} onSignOut={() => void signOut()} current={first ?? ""}>{screen}</Shell>
      </SignOutContext.Provider>
    </WhoContext.Provider>
  );
}

function Shell({ children, who, onSignOut, online, current }: {
  children: preact.ComponentChildren; who?: Who; onSignOut?: () => void; online: boolean; current?: string;
}) {
  const [updated, setUpdated] = useState(false);
  useEffect(() => {
    const show = () => setUpdated(true);
    window.addEventListener("thidua:update", show);
    return () => window.removeEventListener("thidua:update", show);
  }, []);
  const nav = who && !who.needsSecondFactor ? [
    { to: "#/", key: "", text: "Trang chủ", show: true },
    { to: who.unitId ? href("lich-su", who.unitId) : "", key: "lich-su", text: "Lịch sử", show: who.role === "unit" && !!who.unitId },
    { to: who.unitId ? href("de-nghi", who.unitId) : "", key: "de-nghi", text: "Đề nghị khen thưởng", show: who.role === "unit" && !!who.unitId },
    { to: "#/ky-bao-cao", key: "ky-bao-cao", text: "Kỳ báo cáo", show: who.role === "admin" },
    { to: "#/hoi-nghi", key: "hoi-nghi", text: "Hội nghị", show: who.role === "admin" },
    { to: "#/cham-diem", key: "cham-diem", text: "Chấm điểm", show: who.role === "leader" },
    { to: "#/xu-huong", key: "xu-huong", text: "Xu hướng", show: who.role !== "unit" },
    { to: "#/so-khen-thuong", key: "so-khen-thuong", text: "Sổ khen thưởng", show: true },
    { to: "#/don-vi", key: "don-vi", text: "Đơn vị", show: who.role === "admin" },
    { to: "#/tai-khoan", key: "tai-khoan", text: "Tài khoản", show: who.role === "admin" },
    { to: "#/ma-truy-cap", key: "ma-truy-cap", text: "Mã truy cập", show: who.role === "admin" },
    { to: "#/bao-mat", key: "bao-mat", text: "Bảo mật", show: true },
  ].filter((n) => n.show) : [];
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>Bỏ qua, đến nội dung chính</a>
      <header class="top">
        <div class="top__bar">
          <a class="brand" href="#/">Thi đua</a>
          {who && <span class="top__who">{who.name}{who.unitName ? ` · ${who.unitName}` : ""}</span>}
          {onSignOut && <button type="button" class="button button--quiet" onClick={onSignOut}>Đăng xuất</button>}
        </div>
        {nav.length > 0 && (
          <nav aria-label="Điều hướng chính">
            <ul class="nav">
              {nav.map((n) => (
                <li key={n.key}><a href={n.to} aria-current={current === n.key ? "page" : undefined}>{n.text}</a></li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      {updated && (
        <p class="offline" role="status">
          Đã có phiên bản mới của cổng.{" "}
          <button type="button" class="linklike" onClick={() => location.reload()}>Tải lại trang</button>
        </p>
      )}
      {!online && <p class="offline" role="status">Đang ngoại tuyến: có thể điền báo cáo, bài gửi sẽ được gửi khi có mạng.</p>}
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}

function NotFound() {
  return <><Heading>Không tìm thấy trang</Heading><p><a href="#/">Về trang chủ</a></p></>;
}

function Forbidden() {
  return <><Heading>Không có quyền truy cập</Heading><p>Tài khoản của bạn không dùng được màn hình này. <a href="#/">Về trang chủ</a></p></>;
}

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("./sw.js", { scope: "./" }).catch(() => undefined);
    const hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      warmCache();
      // A new version took over a page that was already running the old one: offer a reload
      // (the typed-in report is kept as a draft, so nothing is lost).
      if (hadController) window.dispatchEvent(new Event("thidua:update"));
    });
  });
}

const root = document.getElementById("app")!;
root.textContent = ""; // the "Đang tải…" placeholder
render(<App />, root);
