/** Small shared pieces: a labelled field with its error, notices, lazy screens, the signed-in person. */
import type { ComponentChildren, ComponentType, JSX } from "preact";
import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { Account, Factors, Role } from "./api/types";

export interface Who {
  role: Role;
  unitId: string | null;
  unitName: string | null;
  account: Account | null;
  factors: Factors | null;
  needsSecondFactor: boolean;
  name: string;
}

export const WhoContext = createContext<Who | null>(null);
/** Ends the session (and shows `notice` on the sign-in screen). */
export const SignOutContext = createContext<(notice?: string) => void>(() => undefined);
export function useWho(): Who {
  const who = useContext(WhoContext);
  if (!who) throw new Error("not signed in");
  return who;
}

interface FieldProps {
  id: string;
  label: ComponentChildren;
  error?: string | null;
  hint?: ComponentChildren;
  children: (describedBy: string | undefined, invalid: boolean) => JSX.Element;
}

/** A label, the control, its hint and its error (role="alert", tied by aria-describedby). */
export function Field({ id, label, error, hint, children }: FieldProps) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " field--error" : ""}`}>
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {children(ids, !!error)}
      {error && <p class="error" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}

export function Notice({ kind = "info", children }: { kind?: "info" | "ok" | "warn" | "error"; children: ComponentChildren }) {
  return (
    <div class={`notice notice--${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Loading({ text = "Đang tải…" }: { text?: string }) {
  return <p class="loading" role="status">{text}</p>;
}

/** Moves focus to the screen's heading when it appears (keyboard and screen-reader users). */
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return <h1 tabIndex={-1} ref={ref}>{children}</h1>;
}

/** A screen loaded as its own chunk the first time it is shown. */
export function lazyScreen<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const [Comp, setComp] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Comp) return;
      load().then((m) => {
        loaded = m.default;
        setComp(() => m.default);
      }, () => setFailed(true));
    }, []);
    if (failed) return <Notice kind="error">Không tải được màn hình này. Kiểm tra kết nối mạng rồi tải lại trang.</Notice>;
    return Comp ? <Comp {...props} /> : <Loading />;
  };
}

export const STATE_TEXT: Record<string, string> = {
  missing: "Chưa nộp",
  submitted: "Đã nộp",
  returned: "Bị trả lại",
  accepted: "Đã duyệt",
};

export const ROLE_TEXT: Record<string, string> = { admin: "Quản trị", leader: "Lãnh đạo", unit: "Đơn vị" };
