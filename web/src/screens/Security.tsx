import { useContext, useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../api/client";
import type { Passkey, TotpSetup } from "../api/types";
import { date } from "../lib/format";
import { createCredential, passkeysSupported } from "../lib/webauthn";
import { Field, Heading, Notice, SignOutContext, useWho } from "../ui";

export default function Security() {
  const who = useWho();
  const signOut = useContext(SignOutContext);
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [otp, setOtp] = useState("");
  const [otpError, setOtpError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [totpOn, setTotpOn] = useState(!!who.factors?.totp);

  const loadPasskeys = () =>
    api.GET("/v1/me/passkeys").then(({ data }) => setPasskeys(data?.items ?? []), () => setPasskeys([]));
  useEffect(() => void loadPasskeys(), []);

  async function startTotp() {
    setBusy(true);
    setMessage(null);
    try {
      const { data, error, response } = await api.POST("/v1/me/totp");
      if (data) setSetup(data);
      else setMessage({ kind: "error", text: describe(asProblem(error, response)) });
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    } finally {
      setBusy(false);
    }
  }

  async function confirmTotp(e: Event) {
    e.preventDefault();
    setOtpError(null);
    if (!/^\d{6}$/.test(otp.trim())) {
      setOtpError("Nhập đủ 6 chữ số.");
      return;
    }
    setBusy(true);
    try {
      const { error, response } = await api.POST("/v1/me/totp/confirm", { body: { otp: otp.trim() } });
      if (response.ok) {
        setSetup(null);
        setOtp("");
        setTotpOn(true);
        setMessage({ kind: "ok", text: "Đã bật ứng dụng xác thực." });
      } else {
        const p = asProblem(error, response);
        setOtpError(fieldErrors(p).otp ?? (p.status === 422 ? "Mã xác thực không đúng hoặc đã hết hạn." : describe(p)));
      }
    } catch {
      setOtpError("Không kết nối được máy chủ.");
    } finally {
      setBusy(false);
    }
  }

  async function addPasskey() {
    setBusy(true);
    setMessage(null);
    try {
      const { data, error, response } = await api.POST("/v1/me/passkeys/options");
      if (!data) {
        setMessage({ kind: "error", text: describe(asProblem(error, response)) });
        return;
      }
      const credential = await createCredential(data);
      const added = await api.POST("/v1/me/passkeys", { body: { credential, name: deviceName() } });
      if (added.response.ok) {
        setMessage({ kind: "ok", text: "Đã thêm khóa truy cập." });
        void loadPasskeys();
      } else {
        setMessage({ kind: "error", text: describe(asProblem(added.error, added.response)) });
      }
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof DOMException && e.name === "NotAllowedError"
        ? "Đã hủy hoặc hết thời gian tạo khóa truy cập."
        : "Không tạo được khóa truy cập trên thiết bị này." });
    } finally {
      setBusy(false);
    }
  }

  async function removePasskey(p: Passkey) {
    if (!confirm(`Xóa khóa truy cập «${p.name || "Khóa truy cập"}»? Thiết bị đó sẽ không dùng được để đăng nhập nữa.`)) return;
    setBusy(true);
    setMessage(null);
    try {
      const { error, response } = await api.DELETE("/v1/me/passkeys/{passkey_id}", { params: { path: { passkey_id: p.id } } });
      if (response.ok) {
        setMessage({ kind: "ok", text: "Đã xóa khóa truy cập." });
        void loadPasskeys();
      } else {
        const problem = asProblem(error, response);
        setMessage({ kind: "error", text: problem.reason === "last_second_factor"
          ? "Không thể xóa: tài khoản cán bộ phải giữ ít nhất một cách xác thực hai lớp." : describe(problem) });
      }
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    } finally {
      setBusy(false);
    }
  }

  const done = totpOn || (passkeys?.length ?? 0) > 0;
  return (
    <section class="card card--narrow">
      <Heading>Bảo mật tài khoản</Heading>
      {who.needsSecondFactor && !done && (
        <Notice kind="warn">Tài khoản của bạn cần thêm lớp xác thực thứ hai trước khi dùng cổng: chọn một trong hai cách dưới đây.</Notice>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {who.needsSecondFactor && done && (
        <p>
          <button type="button" class="button"
                  onClick={() => signOut("Đã bật xác thực hai lớp. Hãy đăng nhập lại bằng mật khẩu và mã xác thực (hoặc khóa truy cập).")}>
            Đăng nhập lại để vào cổng
          </button>
        </p>
      )}

      <h2>Ứng dụng xác thực</h2>
      <p>{totpOn ? "Đang bật." : "Dùng ứng dụng như Google Authenticator hoặc Microsoft Authenticator để lấy mã 6 số mỗi lần đăng nhập."}</p>
      {!setup && (
        <button type="button" class="button button--secondary" disabled={busy} onClick={startTotp}>
          Thiết lập ứng dụng xác thực
        </button>
      )}
      {setup && (
        <form onSubmit={confirmTotp} class="totp">
          <p>Quét mã QR bằng ứng dụng xác thực, hoặc nhập khóa bí mật dưới đây.</p>
          <img class="qr" alt="Mã QR để thêm tài khoản vào ứng dụng xác thực" width={200} height={200}
               src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`} />
          <p>Khóa bí mật: <code data-testid="totp-secret" class="secret">{setup.secret}</code></p>
          <Field id="totp-otp" label="Mã xác thực (6 số)" error={otpError}>
            {(d, inv) => <input id="totp-otp" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={otp}
                                aria-describedby={d} aria-invalid={inv} onInput={(e) => setOtp(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="button" disabled={busy}>Xác nhận</button>
        </form>
      )}

      <h2>Khóa truy cập (passkey)</h2>
      <p>Đăng nhập bằng vân tay, khuôn mặt hoặc mã PIN của thiết bị, không cần nhập mã.</p>
      {passkeys && passkeys.length > 0 && (
        <ul class="plain">
          {passkeys.map((p) => (
            <li key={p.id} class="passkey">
              <span>{p.name || "Khóa truy cập"}{p.created_at ? ` · thêm ngày ${date(p.created_at)}` : ""}
                {p.last_used_at ? ` · dùng lần cuối ${date(p.last_used_at)}` : ""}</span>
              <button type="button" class="button button--small button--secondary" disabled={busy}
                      onClick={() => void removePasskey(p)}>
                Xóa<span class="sr-only"> khóa truy cập {p.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="button button--secondary" disabled={busy || !passkeysSupported()} onClick={addPasskey}>
        Thêm khóa truy cập
      </button>
      {!passkeysSupported() && <p class="hint">Trình duyệt này chưa hỗ trợ khóa truy cập.</p>}
    </section>
  );
}

function deviceName(): string {
  const ua = navigator.userAgent;
  if (/Android/i.test(ua)) return "Điện thoại Android";
  if (/iPhone|iPad/i.test(ua)) return "iPhone/iPad";
  if (/Windows/i.test(ua)) return "Máy tính Windows";
  if (/Mac OS/i.test(ua)) return "Máy Mac";
  return "Thiết bị";
}
