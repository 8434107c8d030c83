import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmProps {
  readonly question: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** A modal question before a destructive action; Escape cancels, focus starts on Cancel. */
export function Confirm({ question, confirmLabel, onConfirm, onCancel }: ConfirmProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div class="backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-question">
        <p id="confirm-question">{question}</p>
        <div class="buttons">
          <button type="button" ref={cancel} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
