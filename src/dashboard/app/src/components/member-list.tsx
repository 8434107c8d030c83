import { field } from './form-field.js';
import { Options, type Choice } from './options.js';


export interface MemberListProps {
  readonly members: readonly Choice[];
  /** The accessible name of a member's Remove button ("Remove node1 from rack1"). */
  readonly removeLabel: (member: Choice) => string;
  readonly onRemove: (member: Choice) => void;
  /** What can be added: the choices of the add form's one select. */
  readonly choices: readonly Choice[];
  /** Accessible names of the add form and its select, and the add button's text. */
  readonly formLabel: string;
  readonly selectLabel: string;
  readonly addLabel: string;
  readonly onAdd: (id: string) => void;
}

/** The members of one thing (an aggregate's hosts, a router's subnets), each removable, and a form adding one more. */
export function MemberList({ members, removeLabel, onRemove, choices, formLabel, selectLabel, addLabel, onAdd }: MemberListProps) {
  const add = (event: Event) => {
    event.preventDefault();
    onAdd(field(new FormData(event.currentTarget as HTMLFormElement), 'member'));
  };
  return (
    <>
      <ul class="plain">
        {members.map((member) => (
          <li key={member.id}>
            {member.name}{' '}
            <button type="button" class="danger small" aria-label={removeLabel(member)} onClick={() => onRemove(member)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form class="row-form" onSubmit={add} aria-label={formLabel}>
        <select name="member" aria-label={selectLabel} required>
          <Options choices={choices} />
        </select>
        <button type="submit">{addLabel}</button>
      </form>
    </>
  );
}
