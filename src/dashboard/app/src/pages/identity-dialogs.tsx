import type { ComponentChildren } from 'preact';
import { FormDialog } from '../components/confirm.js';
import { field } from '../components/form-field.js';
import { Options } from '../components/options.js';

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly enabled?: boolean;
}

export interface User {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly default_project_id?: string | null;
  readonly enabled?: boolean;
}

interface EditDialogProps<T, B> {
  /** The one edited; none to create one. */
  readonly current?: T;
  readonly onSave: (body: B) => void;
  readonly onCancel: () => void;
}

interface EntityDialogProps {
  readonly kind: 'project' | 'user';
  readonly current: { readonly name: string; readonly enabled?: boolean } | undefined;
  readonly onConfirm: (form: FormData) => void;
  readonly onCancel: () => void;
  /** The fields between the name and the enabled box. */
  readonly children: ComponentChildren;
}

/** Horizon's Create … / Edit … form of a Keystone entity: its name, its own fields, and enabled. */
function EntityDialog({ kind, current, onConfirm, onCancel, children }: EntityDialogProps) {
  const label = kind === 'project' ? 'Project' : 'User';
  return (
    <FormDialog
      question={current === undefined ? `Create a ${kind}` : `Edit ${kind} ${current.name}`}
      confirmLabel={current === undefined ? `Create ${kind}` : 'Save'}
      danger={false}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <label>
        {label} name
        <input name="name" required defaultValue={current?.name ?? ''} />
      </label>
      {children}
      <label class="check">
        <input type="checkbox" name="enabled" defaultChecked={current?.enabled !== false} /> Enabled
      </label>
    </FormDialog>
  );
}

/** Keystone's project fields, as POST /v3/projects and PATCH /v3/projects/{id} take them. */
export interface ProjectBody {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
}

/** Horizon's Create Project / Edit Project: name, description, enabled. */
export function ProjectDialog({ current, onSave, onCancel }: EditDialogProps<Project, ProjectBody>) {
  const save = (form: FormData) => onSave({ name: field(form, 'name'), description: field(form, 'description'), enabled: field(form, 'enabled') === 'on' });
  return (
    <EntityDialog kind="project" current={current} onConfirm={save} onCancel={onCancel}>
      <label>
        Description
        <input name="description" defaultValue={current?.description ?? ''} />
      </label>
    </EntityDialog>
  );
}

/** Keystone's user fields; a password only when one is set, and no default project as null. */
export interface UserBody {
  readonly name: string;
  readonly email: string;
  readonly password?: string;
  readonly default_project_id: string | null;
  readonly enabled: boolean;
}

/** Horizon's Create User / Edit User: name, email, password (kept when left empty on edit), default project, enabled. */
export function UserDialog({ current, projects, onSave, onCancel }: EditDialogProps<User, UserBody> & { projects: readonly Project[] }) {
  const save = (form: FormData) => {
    const password = field(form, 'password');
    const project = field(form, 'project');
    onSave({
      name: field(form, 'name'),
      email: field(form, 'email'),
      ...(password === '' ? {} : { password }),
      default_project_id: project === '' ? null : project,
      enabled: field(form, 'enabled') === 'on',
    });
  };
  return (
    <EntityDialog kind="user" current={current} onConfirm={save} onCancel={onCancel}>
      <label>
        Email
        <input name="email" type="email" defaultValue={current?.email ?? ''} />
      </label>
      <label>
        {current === undefined ? 'Password' : 'New password (empty keeps it)'}
        <input name="password" type="password" autocomplete="new-password" required={current === undefined} />
      </label>
      <label>
        Default project
        <select name="project" value={current?.default_project_id ?? ''}>
          <option value="">None</option>
          <Options choices={projects} />
        </select>
      </label>
    </EntityDialog>
  );
}
