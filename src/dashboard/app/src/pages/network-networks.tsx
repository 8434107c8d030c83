import { useState } from 'preact/hooks';
import { listExternalNetworks, listNetworks, listSubnets, neutron, type Network, type Subnet } from '../api/network.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { subnetBody } from '../logic/network-forms.js';

/** The project's networks (and the shared and external ones it sees), each with its subnets. */
export function NetworksTab({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      const [networks, subnets, external] = await Promise.all([listNetworks(session), listSubnets(session), listExternalNetworks(session)]);
      // Neutron's new defaults show `router:external` only to the network's project: the filter says it to everyone.
      return { networks, subnets, external: new Set(external.map((n) => n.id)) };
    },
    [session.token],
    5000,
  );
  const { error, run } = useRun(loaded.reload);
  const [deleting, setDeleting] = useState<{ kind: 'networks' | 'subnets'; item: Network | Subnet } | undefined>(undefined);
  const createNetwork = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const name = field(new FormData(formElement), 'name');
    void run(async () => {
      await neutron(session, '/networks', 'POST', { network: { name } });
      formElement.reset();
    });
  };
  const createSubnet = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const body = subnetBody({
      networkId: field(form, 'network'),
      name: field(form, 'name'),
      cidr: field(form, 'cidr'),
      gateway: field(form, 'gateway'),
      enableDhcp: form.get('dhcp') !== null,
    });
    void run(async () => {
      await neutron(session, '/subnets', 'POST', body);
      formElement.reset();
    });
  };
  const remove = () => {
    if (deleting === undefined) return;
    const { kind, item } = deleting;
    setDeleting(undefined);
    void run(() => neutron(session, `/${kind}/${item.id}`, 'DELETE'));
  };
  const own = (loaded.data?.networks ?? []).filter((n) => n.project_id === session.project.id);
  return (
    <>
      <form class="inline-form" onSubmit={createNetwork} aria-label="Create a network">
        <label>
          Network name
          <input name="name" required />
        </label>
        <button type="submit" class="primary">
          Create network
        </button>
      </form>
      <form class="inline-form" onSubmit={createSubnet} aria-label="Create a subnet">
        <label>
          Network
          <select name="network" required>
            {own.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name || n.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subnet name
          <input name="name" />
        </label>
        <label>
          CIDR
          <input name="cidr" required placeholder="10.0.0.0/24" />
        </label>
        <label>
          Gateway (empty: first address; none: no gateway)
          <input name="gateway" />
        </label>
        <label class="check">
          <input name="dhcp" type="checkbox" checked />
          DHCP
        </label>
        <button type="submit" class="primary">
          Create subnet
        </button>
      </form>
      <ErrorBox error={error ?? loaded.error} />
      {loaded.data === undefined ? (
        <Loading what="networks" />
      ) : (
        <DataTable headings={['Network', 'Status', 'Subnets', 'Shared', 'External', 'Actions']}>
          {loaded.data.networks.map((network) => {
            const subnets = loaded.data?.subnets.filter((s) => s.network_id === network.id) ?? [];
            const mine = network.project_id === session.project.id;
            return (
              <tr key={network.id} data-network={network.name}>
                <td>{network.name || network.id}</td>
                <td>
                  <StatusBadge status={network.status} />
                </td>
                <td>
                  <ul class="plain">
                    {subnets.map((subnet) => (
                      <li key={subnet.id} data-subnet={subnet.name}>
                        {subnet.name || subnet.id} {subnet.cidr}
                        {subnet.gateway_ip === null ? ', no gateway' : `, gateway ${subnet.gateway_ip}`}
                        {mine && (
                          <button type="button" class="danger small" aria-label={`Delete subnet ${subnet.name || subnet.cidr}`} onClick={() => setDeleting({ kind: 'subnets', item: subnet })}>
                            Delete
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{network.shared ? 'yes' : 'no'}</td>
                <td>{loaded.data?.external.has(network.id) ? 'yes' : 'no'}</td>
                <td>
                  {mine && (
                    <DeleteButton what={`network ${network.name || network.id}`} onClick={() => setDeleting({ kind: 'networks', item: network })} />
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      {deleting && (
        <Confirm
          question={`Delete ${deleting.kind === 'networks' ? 'network' : 'subnet'} ${deleting.item.name || deleting.item.id}?`}
          confirmLabel="Delete"
          onConfirm={remove}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </>
  );
}
