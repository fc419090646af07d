/** A modal dialog (the native <dialog>): a title, its content, and Esc or "Đóng" to close. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ComponentChildren;
}

let counter = 0;

export function Dialog({ title, open, onClose, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++counter}`);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId.current} onClose={onClose}>
      {open && (
        <>
          <div class="dialog__head">
            <h2 id={titleId.current}>{title}</h2>
            <button type="button" class="button button--secondary button--small" onClick={onClose}>Đóng</button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}
