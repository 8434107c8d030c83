/** addFloatingIp and removeFloatingIp (Nova's FloatingIPActionController, 2.1–2.43): the floating IP proxy on a server. */
import { Type } from '@sinclair/typebox';
import { versioned } from '../../../../common/http/versioned.js';
import { IpAddress } from '../nova-types.js';
import { proxiesOf } from '../security-groups.js';
import { serverAction } from './server-action.js';

const UNTIL_2_43 = versioned([{ min: '2.1', max: '2.43', value: true }]);

export const floatingIpActions = [
  serverAction({
    key: 'addFloatingIp',
    schema: Type.Object({ address: IpAddress, fixed_address: Type.Optional(IpAddress) }, { additionalProperties: false }),
    policy: 'os_compute_api:os-floating-ips:add',
    run: async ({ request, context, server, servers, body }) => {
      UNTIL_2_43.select(request.microversion);
      await proxiesOf(servers).floatingIps.associate(context, server.row.uuid, body.address, body.fixed_address);
    },
  }),
  serverAction({
    key: 'removeFloatingIp',
    schema: Type.Object({ address: IpAddress }, { additionalProperties: false }),
    policy: 'os_compute_api:os-floating-ips:remove',
    run: async ({ request, context, server, servers, body }) => {
      UNTIL_2_43.select(request.microversion);
      await proxiesOf(servers).floatingIps.disassociate(context, server.row.uuid, body.address);
    },
  }),
];
