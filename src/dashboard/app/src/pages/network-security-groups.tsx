import { useState } from 'preact/hooks';
import { listSecurityGroups, neutron, type SecurityGroup } from '../api/network.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { useRun } from '../components/use-run.js';
import { ruleBody, ruleText } from '../logic/network-forms.js';

/** Security groups, each with its rules and a form adding one. */
export function SecurityGroupsTab({ session }: { session: Session }) {
  const groups = useLoad(() => listSecurityGroups(session), [session.token], 5000);
  const { error, run } = useRun(groups.reload);
  const [problem, setProblem] = useState<Error | undefined>(undefined);
  const [deleting, setDeleting] = useState<SecurityGroup | undefined>(undefined);
  const create = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    void run(async () => {
      await neutron(session, '/security-groups', 'POST', { security_group: { name: field(form, 'name'), description: field(form, 'description') } });
      formElement.reset();
    });
  };
  const addRule = (group: SecurityGroup, event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body = ruleBody({
      securityGroupId: group.id,
      direction: field(form, 'direction'),
      protocol: field(form, 'protocol'),
      ports: field(form, 'ports'),
      remote: field(form, 'remote'),
    });
    setProblem(typeof body === 'string' ? new Error(body) : undefined);
    if (typeof body !== 'string') void run(() => neutron(session, '/security-group-rules', 'POST', body));
  };
  const remove = (group: SecurityGroup) => {
    setDeleting(undefined);
    void run(() => neutron(session, `/security-groups/${group.id}`, 'DELETE'));
  };
  return (
    <>
      <form class="inline-form" onSubmit={create} aria-label="Create a security group">
        <label>
          Security group name
          <input name="name" required />
        </label>
        <label>
          Description
          <input name="description" />
        </label>
        <button type="submit" class="primary">
          Create security group
        </button>
      </form>
      <ErrorBox error={problem ?? error ?? groups.error} />
      {groups.data === undefined ? (
        <Loading what="security groups" />
      ) : (
        groups.data.map((group) => (
          <article key={group.id} class="panel" data-security-group={group.name} aria-label={`Security group ${group.name}`}>
            <div class="page-head">
              <h2>{group.name}</h2>
              {group.name !== 'default' && (
                <DeleteButton what={`security group ${group.name}`} onClick={() => setDeleting(group)} />
              )}
            </div>
            {group.description && <p class="muted">{group.description}</p>}
            <ul class="plain">
              {group.security_group_rules.map((rule) => (
                <li key={rule.id} data-rule={ruleText(rule)}>
                  {ruleText(rule)}{' '}
                  <button type="button" class="danger small" aria-label={`Remove rule ${ruleText(rule)} from ${group.name}`} onClick={() => void run(() => neutron(session, `/security-group-rules/${rule.id}`, 'DELETE'))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
            <form class="row-form" onSubmit={(e) => addRule(group, e)} aria-label={`Add a rule to ${group.name}`}>
              <label>
                Direction
                <select name="direction">
                  <option value="ingress">ingress</option>
                  <option value="egress">egress</option>
                </select>
              </label>
              <label>
                Protocol
                <select name="protocol">
                  <option value="tcp">tcp</option>
                  <option value="udp">udp</option>
                  <option value="icmp">icmp</option>
                  <option value="any">any</option>
                </select>
              </label>
              <label>
                Ports
                <input name="ports" placeholder="22 or 8000-8080" />
              </label>
              <label>
                Remote CIDR
                <input name="remote" placeholder="0.0.0.0/0" />
              </label>
              <button type="submit">Add rule</button>
            </form>
          </article>
        ))
      )}
      {deleting && (
        <Confirm question={`Delete security group ${deleting.name}?`} confirmLabel="Delete" onConfirm={() => remove(deleting)} onCancel={() => setDeleting(undefined)} />
      )}
    </>
  );
}
