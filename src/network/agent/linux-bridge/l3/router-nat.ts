/**
 * A router's NAT, as the nftables table inside its `qrouter-` namespace (Neutron's L3 agent keeps
 * the same in iptables there): each floating IP is DNAT in and SNAT out for its fixed address,
 * and with SNAT enabled every other internal address leaves as the gateway's address. Only
 * through `qg-`: nothing is translated between the router's own subnets. Pure: specs in, the
 * whole table out, replaced in one transaction.
 */
import type { FloatingIpSpec, RouterSpec } from '../../datapath-spec.js';
import { parseCidr } from '../../cidr.js';
import { routerGatewayDevice } from '../../device-names.js';

export const ROUTER_NAT_TABLE = 'nimbus_router';

export function routerNatTable(router: RouterSpec, floatingIps: readonly FloatingIpSpec[]): string {
  const gateway = router.external_gateway;
  const replace = [`add table ip ${ROUTER_NAT_TABLE}`, `delete table ip ${ROUTER_NAT_TABLE}`];
  if (gateway === null) return replace.join('\n') + '\n';
  const qg = routerGatewayDevice(gateway.port_id);
  const internal = router.interfaces.filter((end) => parseCidr(end.cidr).family === 4).map((end) => end.cidr);
  const dnat = floatingIps.map((fip) => `    ip daddr ${fip.floating_ip_address} dnat to ${fip.fixed_ip_address}`);
  const snat = [
    ...floatingIps.map((fip) => `    oifname "${qg}" ip saddr ${fip.fixed_ip_address} snat to ${fip.floating_ip_address}`),
    ...(gateway.enable_snat && internal.length > 0 ? [`    oifname "${qg}" ip saddr { ${internal.join(', ')} } snat to ${gateway.ip_address}`] : []),
  ];
  return [
    ...replace,
    `table ip ${ROUTER_NAT_TABLE} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...snat,
    '  }',
    '}',
  ].join('\n') + '\n';
}
