export interface DeleteButtonProps {
  /** What the row is, as the user reads it ("key pair default"); the button's accessible name is `Delete <what>`. */
  readonly what: string;
  readonly onClick: () => void;
}

/** A row's red Delete button; the deletion itself waits for the page's confirmation. */
export function DeleteButton({ what, onClick }: DeleteButtonProps) {
  return (
    <button type="button" class="danger" aria-label={`Delete ${what}`} onClick={onClick}>
      Delete
    </button>
  );
}
