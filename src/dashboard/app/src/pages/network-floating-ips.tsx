import { useState } from 'preact/hooks';
import { listServers } from '../api/cloud.js';
import { listExternalNetworks, listFloatingIps, listPorts, neutron, type FloatingIp } from '../api/network.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';

/** Floating IPs: allocate from an external network, associate with an instance's port, release. */
export function FloatingIpsTab({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      const [ips, external, ports, servers] = await Promise.all([
        listFloatingIps(session),
        listExternalNetworks(session),
        listPorts(session, '?device_owner=compute:nova'),
        listServers(session, 1000),
      ]);
      const serverName = new Map(servers.servers.map((s) => [s.id, s.name]));
      const targets = ports.flatMap((port) =>
        port.fixed_ips.filter((ip) => !ip.ip_address.includes(':')).map((ip) => ({ portId: port.id, label: `${serverName.get(port.device_id) ?? port.device_id}: ${ip.ip_address}` })),
      );
      return { ips, external, targets };
    },
    [session.token],
    5000,
  );
  const { error, run } = useRun(loaded.reload);
  const [releasing, setReleasing] = useState<FloatingIp | undefined>(undefined);
  const data = loaded.data;
  const allocate = (event: Event) => {
    event.preventDefault();
    const networkId = field(new FormData(event.currentTarget as HTMLFormElement), 'network');
    void run(() => neutron(session, '/floatingips', 'POST', { floatingip: { floating_network_id: networkId } }));
  };
  const setPort = (ip: FloatingIp, portId: string | null) => void run(() => neutron(session, `/floatingips/${ip.id}`, 'PUT', { floatingip: { port_id: portId } }));
  const associate = (ip: FloatingIp, event: Event) => {
    event.preventDefault();
    setPort(ip, field(new FormData(event.currentTarget as HTMLFormElement), 'port'));
  };
  const release = (ip: FloatingIp) => {
    setReleasing(undefined);
    void run(() => neutron(session, `/floatingips/${ip.id}`, 'DELETE'));
  };
  return (
    <>
      <form class="inline-form" onSubmit={allocate} aria-label="Allocate a floating IP">
        <label>
          Pool
          <select name="network" required>
            {(data?.external ?? []).map((n) => (
              <option key={n.id} value={n.id}>
                {n.name || n.id}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Allocate IP
        </button>
      </form>
      <ErrorBox error={error ?? loaded.error} />
      {data === undefined ? (
        <Loading what="floating IPs" />
      ) : data.ips.length === 0 ? (
        <p class="muted">No floating IPs in this project.</p>
      ) : (
        <DataTable headings={['Address', 'Status', 'Mapped to', 'Actions']}>
          {data.ips.map((ip) => (
            <tr key={ip.id} data-floating-ip={ip.floating_ip_address}>
              <td>{ip.floating_ip_address}</td>
              <td>
                <StatusBadge status={ip.status} />
              </td>
              <td>
                {ip.port_id === null ? (
                  <form class="row-form" onSubmit={(e) => associate(ip, e)} aria-label={`Associate ${ip.floating_ip_address}`}>
                    <select name="port" aria-label={`Port for ${ip.floating_ip_address}`} required>
                      {data.targets.map((t) => (
                        <option key={t.portId} value={t.portId}>
                          {t.label}
                        </option>
                      ))}
                    </select>
                    <button type="submit">Associate</button>
                  </form>
                ) : (
                  <>
                    {data.targets.find((t) => t.portId === ip.port_id)?.label ?? ip.fixed_ip_address}{' '}
                    <button type="button" onClick={() => setPort(ip, null)} aria-label={`Disassociate ${ip.floating_ip_address}`}>
                      Disassociate
                    </button>
                  </>
                )}
              </td>
              <td>
                <button type="button" class="danger" aria-label={`Release ${ip.floating_ip_address}`} onClick={() => setReleasing(ip)}>
                  Release
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {releasing && (
        <Confirm question={`Release floating IP ${releasing.floating_ip_address}?`} confirmLabel="Release" onConfirm={() => release(releasing)} onCancel={() => setReleasing(undefined)} />
      )}
    </>
  );
}
