import { useState } from "preact/hooks";
import { api, asProblem, fieldErrors } from "../api/client";
import { Field, Heading, Notice } from "../ui";

export function SetPassword({ token, onDone }: { token: string; onDone: (notice: string) => void }) {
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    const local: Record<string, string> = {};
    if (password.length < 12) local.password = "Mật khẩu cần ít nhất 12 ký tự.";
    if (again !== password) local.again = "Hai lần nhập mật khẩu không khớp.";
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const { error: err, response } = await api.POST("/v1/password", { body: { token, password } });
      if (response.ok) {
        onDone("Đã đặt mật khẩu. Hãy đăng nhập bằng mật khẩu mới.");
        return;
      }
      const problem = asProblem(err, response);
      const fields = fieldErrors(problem);
      if (fields.password) setErrors({ password: fields.password });
      else if (fields.token || problem.status === 404 || problem.status === 410 || problem.status === 401)
        setError("Đường dẫn đã hết hạn hoặc đã được dùng. Hãy yêu cầu gửi lại thư mời hoặc đặt lại mật khẩu.");
      else setError(problem.detail || problem.title);
    } catch {
      setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card card--narrow">
      <Heading>Đặt mật khẩu</Heading>
      {!token && <Notice kind="error">Đường dẫn thiếu mã. Hãy mở lại đường dẫn trong thư điện tử.</Notice>}
      <p>Mật khẩu cần ít nhất 12 ký tự; nên dùng một câu dễ nhớ với bạn và khó đoán với người khác.</p>
      <form onSubmit={save}>
        <Field id="new-password" label="Mật khẩu mới" error={errors.password}>
          {(d, inv) => <input id="new-password" type="password" autoComplete="new-password" required minLength={12}
                              value={password} aria-describedby={d} aria-invalid={inv}
                              onInput={(e) => setPassword(e.currentTarget.value)} />}
        </Field>
        <Field id="again" label="Nhập lại mật khẩu" error={errors.again}>
          {(d, inv) => <input id="again" type="password" autoComplete="new-password" required value={again}
                              aria-describedby={d} aria-invalid={inv} onInput={(e) => setAgain(e.currentTarget.value)} />}
        </Field>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="submit" class="button" disabled={busy || !token}>Lưu mật khẩu</button>
        </div>
      </form>
    </section>
  );
}
