import { useState } from "preact/hooks";
import { api, asProblem } from "../api/client";
import type { Problem, Session } from "../api/types";
import { getAssertion, passkeysSupported } from "../lib/webauthn";
import { Field, Heading, Notice } from "../ui";

function failureText(problem: Problem, retryAfter: string | null): string {
  if (problem.status === 429) {
    const minutes = retryAfter ? Math.max(1, Math.ceil(Number(retryAfter) / 60)) : 15;
    return `Tài khoản đang tạm khóa vì đăng nhập sai nhiều lần. Hãy thử lại sau ${minutes} phút.`;
  }
  if (problem.status === 401) {
    if (problem.reason === "second_factor_invalid") return problem.detail || "Mã xác thực hoặc khóa truy cập không đúng.";
    return "Thư điện tử hoặc mật khẩu không đúng.";
  }
  if (problem.status === 0) return "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";
  return problem.detail || problem.title;
}

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [factors, setFactors] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState<string | null>(null);

  async function signIn(extra: { otp?: string; passkey?: Record<string, unknown> }) {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const { data, error: err, response } = await api.POST("/v1/sessions", {
        body: { email: email.trim(), password, ...extra },
      });
      if (data) {
        onSignedIn(data);
        return;
      }
      const problem = asProblem(err, response);
      if (problem.status === 401 && problem.reason === "second_factor_required") {
        setFactors(problem.factors ?? ["totp"]);
        setInfo(problem.factors?.includes("totp") === false
          ? "Tài khoản này cần xác thực hai lớp: bấm «Đăng nhập bằng khóa truy cập»."
          : "Tài khoản này cần xác thực hai lớp: nhập mã 6 số từ ứng dụng xác thực, hoặc dùng khóa truy cập.");
        return;
      }
      if (problem.status === 401 && problem.reason === "second_factor_invalid" && problem.factors) setFactors(problem.factors);
      setError(failureText(problem, response.headers.get("Retry-After")));
    } catch {
      setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    } finally {
      setBusy(false);
    }
  }

  async function withPasskey() {
    if (!email.trim() || !password) {
      setError("Nhập thư điện tử và mật khẩu trước khi dùng khóa truy cập.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data, error: err, response } = await api.POST("/v1/sessions/passkey-challenge", { body: { email: email.trim() } });
      if (!data) {
        setError(failureText(asProblem(err, response), response.headers.get("Retry-After")));
        return;
      }
      const passkey = await getAssertion(data);
      setBusy(false);
      await signIn({ passkey });
    } catch (e) {
      setError(e instanceof DOMException && e.name === "NotAllowedError"
        ? "Đã hủy hoặc hết thời gian dùng khóa truy cập."
        : "Không dùng được khóa truy cập trên thiết bị này.");
    } finally {
      setBusy(false);
    }
  }

  async function forgot() {
    if (!email.trim()) {
      setError("Nhập thư điện tử để nhận đường dẫn đặt lại mật khẩu.");
      return;
    }
    setError(null);
    try {
      await api.POST("/v1/password-resets", { body: { email: email.trim() } });
      setInfo("Nếu thư điện tử này có tài khoản, đường dẫn đặt lại mật khẩu (hiệu lực 30 phút) đã được gửi tới hộp thư.");
    } catch {
      setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    }
  }

  const askOtp = factors !== null && factors.includes("totp");
  return (
    <section class="card card--narrow">
      <Heading>Đăng nhập</Heading>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {info && <Notice>{info}</Notice>}
      <form onSubmit={(e) => {
        e.preventDefault();
        void signIn(askOtp && otp ? { otp: otp.trim() } : {});
      }}>
        <Field id="email" label="Thư điện tử">
          {(d) => <input id="email" type="email" autoComplete="username" required value={email} aria-describedby={d}
                         onInput={(e) => setEmail(e.currentTarget.value)} />}
        </Field>
        <Field id="password" label="Mật khẩu">
          {(d) => <input id="password" type="password" autoComplete="current-password" required value={password}
                         aria-describedby={d} onInput={(e) => setPassword(e.currentTarget.value)} />}
        </Field>
        {askOtp && (
          <Field id="otp" label="Mã xác thực (6 số)" hint="Mã 6 chữ số trong ứng dụng xác thực trên điện thoại.">
            {(d) => <input id="otp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6}
                           value={otp} aria-describedby={d} onInput={(e) => setOtp(e.currentTarget.value)} />}
          </Field>
        )}
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>Đăng nhập</button>
          {passkeysSupported() && (
            <button type="button" class="button button--secondary" disabled={busy} onClick={withPasskey}>
              Đăng nhập bằng khóa truy cập
            </button>
          )}
        </div>
        <p><button type="button" class="linklike" onClick={forgot}>Quên mật khẩu?</button></p>
      </form>
    </section>
  );
}
