import { useState } from 'preact/hooks';
import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, useLoad } from '../components/load.js';
import { SelectField, type Choice } from '../components/options.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { AdminPage } from './admin-page.js';
import { ProjectDialog, UserDialog, type Project, type ProjectBody, type User, type UserBody } from './identity-dialogs.js';

/** An actor, role or scope of an assignment, with its name (`include_names=true`). */
interface NamedRef {
  readonly id: string;
  readonly name?: string;
}

interface RoleAssignment {
  readonly role: NamedRef;
  readonly user?: NamedRef;
  readonly group?: NamedRef;
  readonly scope: { readonly project?: NamedRef; readonly domain?: NamedRef; readonly system?: unknown };
}

const nameOf = (ref: NamedRef) => ref.name ?? ref.id;

function scopeOf(assignment: RoleAssignment): string {
  const { project, domain } = assignment.scope;
  if (project !== undefined) return `project ${nameOf(project)}`;
  if (domain !== undefined) return `domain ${nameOf(domain)}`;
  return 'system';
}

/** The dialog open: a project or user made, edited or deleted, or a role revoked. */
type Ask =
  | { readonly do: 'project'; readonly project?: Project }
  | { readonly do: 'delete-project'; readonly project: Project }
  | { readonly do: 'user'; readonly user?: User }
  | { readonly do: 'delete-user'; readonly user: User }
  | { readonly do: 'revoke'; readonly user: NamedRef; readonly role: NamedRef; readonly project: NamedRef };

/** The grant (PUT) or revoke (DELETE) path of a user's role on a project. */
const grantPath = (project: string, user: string, role: string) => `/v3/projects/${project}/users/${user}/roles/${role}`;

const enabledBadge = (enabled: boolean | undefined) => <StatusBadge status={enabled === false ? 'disabled' : 'enabled'} />;

/** A row's last cell: its Edit and Delete buttons, named after `what` ("project lab"). */
function EditDelete({ what, onEdit, onDelete }: { what: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <td>
      <div class="row-buttons">
        <button type="button" aria-label={`Edit ${what}`} onClick={onEdit}>
          Edit
        </button>
        <DeleteButton what={`${what}`} onClick={onDelete} />
      </div>
    </td>
  );
}

/** Keystone's projects, users and roles, and who holds which role where, as Horizon's Identity panel manages them. */
export function AdminIdentityPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => {
    const [projects, users, roles, assignments] = await Promise.all([
      call<{ projects: Project[] }>(session, 'identity', '/v3/projects'),
      call<{ users: User[] }>(session, 'identity', '/v3/users'),
      call<{ roles: Choice[] }>(session, 'identity', '/v3/roles'),
      call<{ role_assignments: RoleAssignment[] }>(session, 'identity', '/v3/role_assignments?include_names=true'),
    ]);
    return { projects: projects.projects, users: users.users, roles: roles.roles, assignments: assignments.role_assignments };
  }, [session.token]);
  const { error, run } = useRun(loaded.reload);
  const [ask, setAsk] = useState<Ask | undefined>(undefined);
  const identity = (path: string, method: string, body?: unknown) => {
    setAsk(undefined);
    void run(() => call(session, 'identity', path, { method, ...(body === undefined ? {} : { body }) }));
  };
  const saveProject = (project: Project | undefined, body: ProjectBody) =>
    project === undefined ? identity('/v3/projects', 'POST', { project: body }) : identity(`/v3/projects/${project.id}`, 'PATCH', { project: body });
  const saveUser = (user: User | undefined, body: UserBody) =>
    user === undefined ? identity('/v3/users', 'POST', { user: body }) : identity(`/v3/users/${user.id}`, 'PATCH', { user: body });
  const grant = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    identity(grantPath(field(form, 'project'), field(form, 'user'), field(form, 'role')), 'PUT');
  };
  return (
    <AdminPage session={session} title="Projects and users" loaded={loaded}>
      {({ projects, users, roles, assignments }) => {
        const projectName = (id: string | null | undefined) => projects.find((p) => p.id === id)?.name ?? id ?? '';
        return (
          <>
            <ErrorBox error={error} />
            <h2>Projects</h2>
            <button type="button" class="primary" onClick={() => setAsk({ do: 'project' })}>
              Create project
            </button>
            <DataTable headings={['Name', 'Description', 'Enabled', 'Actions']}>
              {projects.map((p) => (
                <tr key={p.id} data-project={p.name}>
                  <td>{p.name}</td>
                  <td>{p.description ?? ''}</td>
                  <td>{enabledBadge(p.enabled)}</td>
                  <EditDelete what={`project ${p.name}`} onEdit={() => setAsk({ do: 'project', project: p })} onDelete={() => setAsk({ do: 'delete-project', project: p })} />
                </tr>
              ))}
            </DataTable>
            <h2>Users</h2>
            <button type="button" class="primary" onClick={() => setAsk({ do: 'user' })}>
              Create user
            </button>
            <DataTable headings={['Name', 'Email', 'Default project', 'Enabled', 'Actions']}>
              {users.map((u) => (
                <tr key={u.id} data-user={u.name}>
                  <td>{u.name}</td>
                  <td>{u.email ?? ''}</td>
                  <td>{projectName(u.default_project_id)}</td>
                  <td>{enabledBadge(u.enabled)}</td>
                  <EditDelete what={`user ${u.name}`} onEdit={() => setAsk({ do: 'user', user: u })} onDelete={() => setAsk({ do: 'delete-user', user: u })} />
                </tr>
              ))}
            </DataTable>
            <h2>Role assignments</h2>
            <form class="inline-form" onSubmit={grant} aria-label="Grant a role">
              <SelectField label="User" name="user" choices={users} />
              <SelectField label="Role" name="role" choices={roles} />
              <SelectField label="On project" name="project" choices={projects} />
              <button type="submit" class="primary">
                Grant role
              </button>
            </form>
            <DataTable headings={['User or group', 'Role', 'Scope', 'Actions']}>
              {assignments.map((a) => {
                const actor = a.user === undefined ? (a.group === undefined ? '' : `group ${nameOf(a.group)}`) : nameOf(a.user);
                const scope = scopeOf(a);
                const { user } = a;
                const { project } = a.scope;
                const label = `${actor} ${nameOf(a.role)} ${scope}`;
                return (
                  <tr key={`${actor} ${a.role.id} ${scope}`} data-assignment={label}>
                    <td>{actor}</td>
                    <td>{nameOf(a.role)}</td>
                    <td>{scope}</td>
                    <td>
                      {user !== undefined && project !== undefined && (
                        <button type="button" class="danger" aria-label={`Revoke ${label}`} onClick={() => setAsk({ do: 'revoke', user, role: a.role, project })}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
            {ask?.do === 'project' && <ProjectDialog current={ask.project} onSave={(body) => saveProject(ask.project, body)} onCancel={() => setAsk(undefined)} />}
            {ask?.do === 'user' && <UserDialog current={ask.user} projects={projects} onSave={(body) => saveUser(ask.user, body)} onCancel={() => setAsk(undefined)} />}
            {ask?.do === 'delete-project' && (
              <Confirm
                question={`Delete project ${ask.project.name}? Its role assignments go with it.`}
                confirmLabel="Delete"
                onConfirm={() => identity(`/v3/projects/${ask.project.id}`, 'DELETE')}
                onCancel={() => setAsk(undefined)}
              />
            )}
            {ask?.do === 'delete-user' && (
              <Confirm question={`Delete user ${ask.user.name}?`} confirmLabel="Delete" onConfirm={() => identity(`/v3/users/${ask.user.id}`, 'DELETE')} onCancel={() => setAsk(undefined)} />
            )}
            {ask?.do === 'revoke' && (
              <Confirm
                question={`Revoke role ${nameOf(ask.role)} of ${nameOf(ask.user)} on project ${nameOf(ask.project)}?`}
                confirmLabel="Revoke"
                onConfirm={() => identity(grantPath(ask.project.id, ask.user.id, ask.role.id), 'DELETE')}
                onCancel={() => setAsk(undefined)}
              />
            )}
          </>
        );
      }}
    </AdminPage>
  );
}
