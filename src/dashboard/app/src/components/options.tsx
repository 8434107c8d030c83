/** One choice of a select: its value and what the user reads. */
export interface Choice {
  readonly id: string;
  readonly name: string;
}

/** A select's options, one per choice. */
export function Options({ choices }: { readonly choices: readonly Choice[] }) {
  return (
    <>
      {choices.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.name}
        </option>
      ))}
    </>
  );
}

/** A labelled, required select of a form. */
export function SelectField({ label, name, choices }: { readonly label: string; readonly name: string; readonly choices: readonly Choice[] }) {
  return (
    <label>
      {label}
      <select name={name} required>
        <Options choices={choices} />
      </select>
    </label>
  );
}
