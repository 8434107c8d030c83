import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { useLoad } from '../components/load.js';
import { AdminPage } from './admin-page.js';

interface Named {
  readonly id: string;
  readonly name: string;
  readonly enabled?: boolean;
}

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

function NamedList({ heading, rows }: { heading: string; rows: readonly Named[] }) {
  return (
    <article class="card">
      <h2>{heading}</h2>
      <ul>
        {rows.map((r) => (
          <li key={r.id}>
            {r.name} {r.enabled === false ? '(disabled)' : ''}
          </li>
        ))}
      </ul>
    </article>
  );
}

function scopeOf(assignment: RoleAssignment): string {
  const { project, domain } = assignment.scope;
  if (project !== undefined) return `project ${nameOf(project)}`;
  if (domain !== undefined) return `domain ${nameOf(domain)}`;
  return 'system';
}

/** Keystone's projects, users and roles, and who holds which role where. */
export function AdminIdentityPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => {
    const [projects, users, roles, assignments] = await Promise.all([
      call<{ projects: Named[] }>(session, 'identity', '/v3/projects'),
      call<{ users: Named[] }>(session, 'identity', '/v3/users'),
      call<{ roles: Named[] }>(session, 'identity', '/v3/roles'),
      call<{ role_assignments: RoleAssignment[] }>(session, 'identity', '/v3/role_assignments?include_names=true'),
    ]);
    return { projects: projects.projects, users: users.users, roles: roles.roles, assignments: assignments.role_assignments };
  }, [session.token]);
  return (
    <AdminPage session={session} title="Projects and users" loaded={loaded}>
      {({ projects, users, roles, assignments }) => (
        <>
          <div class="cards">
            <NamedList heading="Projects" rows={projects} />
            <NamedList heading="Users" rows={users} />
            <NamedList heading="Roles" rows={roles} />
          </div>
          <h2>Role assignments</h2>
          <DataTable headings={['User or group', 'Role', 'Scope']}>
            {assignments.map((a) => {
              const actor = a.user === undefined ? (a.group === undefined ? '' : `group ${nameOf(a.group)}`) : nameOf(a.user);
              const scope = scopeOf(a);
              return (
                <tr key={`${actor} ${a.role.id} ${scope}`} data-assignment={`${actor} ${nameOf(a.role)} ${scope}`}>
                  <td>{actor}</td>
                  <td>{nameOf(a.role)}</td>
                  <td>{scope}</td>
                </tr>
              );
            })}
          </DataTable>
        </>
      )}
    </AdminPage>
  );
}
