import { useState } from 'preact/hooks';
import { listExternalNetworks, listPorts, listRouters, listSubnets, neutron, type Router } from '../api/network.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { MemberList } from '../components/member-list.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';

/** Routers with their subnet interfaces (the router's ports) and external gateway. */
export function RoutersTab({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      const [routers, interfaces, subnets, external] = await Promise.all([
        listRouters(session),
        listPorts(session, '?device_owner=network:router_interface'),
        listSubnets(session),
        listExternalNetworks(session),
      ]);
      return { routers, interfaces, subnets, external };
    },
    [session.token],
    5000,
  );
  const { error, run } = useRun(loaded.reload);
  const [deleting, setDeleting] = useState<Router | undefined>(undefined);
  const data = loaded.data;
  const subnetName = (id: string) => {
    const subnet = data?.subnets.find((s) => s.id === id);
    return subnet === undefined ? id : `${subnet.name || subnet.id} (${subnet.cidr})`;
  };
  const networkName = (id: string) => data?.external.find((n) => n.id === id)?.name ?? id;
  const create = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const gateway = field(form, 'gateway');
    const router = { name: field(form, 'name'), ...(gateway === '' ? {} : { external_gateway_info: { network_id: gateway } }) };
    void run(async () => {
      await neutron(session, '/routers', 'POST', { router });
      formElement.reset();
    });
  };
  const setGateway = (router: Router, networkId: string) =>
    void run(() => neutron(session, `/routers/${router.id}`, 'PUT', { router: { external_gateway_info: networkId === '' ? {} : { network_id: networkId } } }));
  const addInterface = (router: Router, subnetId: string) =>
    void run(() => neutron(session, `/routers/${router.id}/add_router_interface`, 'PUT', { subnet_id: subnetId }));
  const removeInterface = (router: Router, subnetId: string) =>
    void run(() => neutron(session, `/routers/${router.id}/remove_router_interface`, 'PUT', { subnet_id: subnetId }));
  const remove = (router: Router) => {
    setDeleting(undefined);
    void run(() => neutron(session, `/routers/${router.id}`, 'DELETE'));
  };
  const externalOptions = (data?.external ?? []).map((n) => (
    <option key={n.id} value={n.id}>
      {n.name || n.id}
    </option>
  ));
  return (
    <>
      <form class="inline-form" onSubmit={create} aria-label="Create a router">
        <label>
          Router name
          <input name="name" required />
        </label>
        <label>
          External gateway
          <select name="gateway">
            <option value="">None</option>
            {externalOptions}
          </select>
        </label>
        <button type="submit" class="primary">
          Create router
        </button>
      </form>
      <ErrorBox error={error ?? loaded.error} />
      {data === undefined ? (
        <Loading what="routers" />
      ) : data.routers.length === 0 ? (
        <p class="muted">No routers in this project.</p>
      ) : (
        <DataTable headings={['Router', 'Status', 'External gateway', 'Interfaces', 'Actions']}>
          {data.routers.map((router) => {
            const subnetIds = data.interfaces.filter((p) => p.device_id === router.id).flatMap((p) => p.fixed_ips.map((ip) => ip.subnet_id));
            const gateway = router.external_gateway_info?.network_id ?? '';
            return (
              <tr key={router.id} data-router={router.name}>
                <td>{router.name || router.id}</td>
                <td>
                  <StatusBadge status={router.status} />
                </td>
                <td>
                  <label>
                    <span class="visually-hidden">External gateway of {router.name}</span>
                    <select value={gateway} onChange={(e) => setGateway(router, e.currentTarget.value)}>
                      <option value="">None</option>
                      {gateway !== '' && !data.external.some((n) => n.id === gateway) && <option value={gateway}>{networkName(gateway)}</option>}
                      {externalOptions}
                    </select>
                  </label>
                </td>
                <td>
                  <MemberList
                    members={subnetIds.map((subnetId) => ({ id: subnetId, name: subnetName(subnetId) }))}
                    removeLabel={(subnet) => `Remove interface ${subnet.name} from ${router.name}`}
                    onRemove={(subnet) => removeInterface(router, subnet.id)}
                    choices={data.subnets
                      .filter((s) => !subnetIds.includes(s.id) && !data.external.some((n) => n.id === s.network_id))
                      .map((s) => ({ id: s.id, name: `${s.name || s.id} (${s.cidr})` }))}
                    formLabel={`Add an interface to ${router.name}`}
                    selectLabel={`Subnet for ${router.name}`}
                    addLabel="Add interface"
                    onAdd={(subnetId) => addInterface(router, subnetId)}
                  />
                </td>
                <td>
                  <DeleteButton what={`router ${router.name || router.id}`} onClick={() => setDeleting(router)} />
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      {deleting && (
        <Confirm question={`Delete router ${deleting.name || deleting.id}?`} confirmLabel="Delete" onConfirm={() => remove(deleting)} onCancel={() => setDeleting(undefined)} />
      )}
    </>
  );
}
