import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import { loadConfig } from '../../common/config/load.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { networkMigrations } from '../db/migrations/index.js';
import { startNetworkServer } from './network-server.js';
import { PluginRpcClient } from './rpc-client.js';

// The metadata agent's question to the network server over the bus: which instance's port holds
// this address on the proxy's network, or on any network the proxy's router has an interface on.
test('get_metadata_instance: the port on the network or behind the router names its instance and project; an unheld address names none', () =>
  withTestDatabase('sqlite', (url) =>
    withOpenDatabase(url, async (database) => {
      await migrateToLatest(database, networkMigrations);
      const transport = new InprocTransport(`metadata-rpc-${randomUUID()}`);
      await transport.connect();
      const server = await startNetworkServer({ database, transport, config: loadConfig({ file: '/dev/null', env: {} }), novaAuth: () => undefined });
      try {
        const { plugin } = server;
        const network = String((await plugin.networks.create('project-r', { name: 'net-r' }))['id']);
        const subnet = String((await plugin.subnets.create('project-r', { network_id: network, ip_version: 4, cidr: '10.77.0.0/24' }))['id']);
        await plugin.ports.create('project-r', { network_id: network, device_id: 'instance-r1', device_owner: 'compute:nova', fixed_ips: [{ subnet_id: subnet, ip_address: '10.77.0.50' }] });
        const router = String((await plugin.routers.create('project-r', { name: 'router-r' }))['id']);
        await plugin.routers.addInterface(router, { subnet_id: subnet });

        const client = new PluginRpcClient(transport, 10);
        const expected = { instanceId: 'instance-r1', projectId: 'project-r' };
        assert.deepEqual(await client.getMetadataInstance('10.77.0.50', { networkId: network }), expected);
        assert.deepEqual(await client.getMetadataInstance('10.77.0.50', { routerId: router }), expected);
        assert.equal(await client.getMetadataInstance('10.77.0.51', { networkId: network }), undefined);
        assert.equal(await client.getMetadataInstance('10.77.0.50', { networkId: randomUUID() }), undefined, 'the address on another network');
        // The router's own interface port has no instance behind it.
        assert.equal(await client.getMetadataInstance('10.77.0.1', { routerId: router }), undefined);
      } finally {
        await server.stop();
        await transport.close();
      }
    }),
  ));
