import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface FormDialogProps {
  /** The dialog's question or title, and its accessible name. */
  readonly question: string;
  readonly confirmLabel: string;
  /** Called with the dialog's fields once the browser has validated them. */
  readonly onConfirm: (form: FormData) => void;
  readonly onCancel: () => void;
  /** The form's fields (a reason, a target host); none for a plain confirmation. */
  readonly children?: ComponentChildren;
  /** A destructive action: its button is red. */
  readonly danger?: boolean;
}

/** A modal form: Escape cancels; focus starts on the first field, or on Cancel when there is none. */
export function FormDialog({ question, confirmLabel, onConfirm, onCancel, children, danger = true }: FormDialogProps) {
  const form = useRef<HTMLFormElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => (form.current?.querySelector<HTMLElement>('input, select, textarea') ?? cancel.current)?.focus(), []);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    onConfirm(new FormData(event.currentTarget as HTMLFormElement));
  };
  return (
    <div class="backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-question">
        <form ref={form} onSubmit={submit}>
          <p id="confirm-question">{question}</p>
          {children}
          <div class="buttons">
            <button type="button" ref={cancel} onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" class={danger ? 'danger' : 'primary'}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

export interface ConfirmProps {
  readonly question: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** A modal question before a destructive action; Escape cancels, focus starts on Cancel. */
export function Confirm({ question, confirmLabel, onConfirm, onCancel }: ConfirmProps) {
  return <FormDialog question={question} confirmLabel={confirmLabel} onConfirm={() => onConfirm()} onCancel={onCancel} />;
}
