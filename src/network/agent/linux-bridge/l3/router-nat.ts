/**
 * A router's NAT, as the nftables table inside its `qrouter-` namespace (Neutron's L3 agent keeps
 * the same in iptables there): each floating IP is DNAT in and SNAT out for its fixed address,
 * and with SNAT enabled every other internal address leaves as the gateway's address. Only
 * through `qg-`: nothing is translated between the router's own subnets. With `metadata`, what
 * an internal end (`qr-`) receives for 169.254.169.254:80 (and, in an `ip6` table beside it, for
 * fe80::a9fe:a9fe:80) is redirected to the namespace's metadata proxy, and the proxy's port takes
 * nothing else (neither from the external network nor sent to it directly), as Neutron's
 * metadata_nat_rules and metadata_filter_rules. Pure: specs in, the whole tables out, replaced
 * in one transaction.
 */
import type { FloatingIpSpec, RouterSpec } from '../../datapath-spec.js';
import { parseCidr } from '../../cidr.js';
import { routerGatewayDevice, ROUTER_INTERFACE_PREFIX } from '../../device-names.js';
import { METADATA_ADDRESS, METADATA_V6_ADDRESS, ROUTER_METADATA_PORT } from '../metadata/metadata-proxy.js';

export const ROUTER_NAT_TABLE = 'nimbus_router';

/** `metadataV6`: the host has IPv6, so the ip6 table (the IPv6 metadata redirect) is kept in step too. */
export function routerNatTable(router: RouterSpec, floatingIps: readonly FloatingIpSpec[], metadata: boolean, metadataV6: boolean): string {
  const gateway = router.external_gateway;
  const qg = gateway === null ? undefined : routerGatewayDevice(gateway.port_id);
  const internal = router.interfaces.filter((end) => parseCidr(end.cidr).family === 4).map((end) => end.cidr);
  const internalEnds = `iifname "${ROUTER_INTERFACE_PREFIX}*"`;
  const redirect = metadata ? [`    ${internalEnds} ip daddr ${METADATA_ADDRESS} tcp dport 80 redirect to :${ROUTER_METADATA_PORT}`] : [];
  const dnat = qg === undefined ? [] : floatingIps.map((fip) => `    ip daddr ${fip.floating_ip_address} dnat to ${fip.fixed_ip_address}`);
  const snat =
    gateway === null || qg === undefined
      ? []
      : [
          ...floatingIps.map((fip) => `    oifname "${qg}" ip saddr ${fip.fixed_ip_address} snat to ${fip.floating_ip_address}`),
          ...(gateway.enable_snat && internal.length > 0 ? [`    oifname "${qg}" ip saddr { ${internal.join(', ')} } snat to ${gateway.ip_address}`] : []),
        ];
  const proxyOnly = metadata
    ? [
        '  chain input {',
        '    type filter hook input priority filter; policy accept;',
        `    ${internalEnds} tcp dport ${ROUTER_METADATA_PORT} ct status dnat accept`,
        `    tcp dport ${ROUTER_METADATA_PORT} drop`,
        '  }',
      ]
    : [];
  // IPv6 guests' metadata (the internal ends hold fe80::a9fe:a9fe, see routers.ts): the same redirect and guard.
  const v6Table = metadataV6 ? [`add table ip6 ${ROUTER_NAT_TABLE}`, `delete table ip6 ${ROUTER_NAT_TABLE}`] : [];
  const v6Metadata = metadata && metadataV6
    ? [
        `table ip6 ${ROUTER_NAT_TABLE} {`,
        '  chain prerouting {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        `    ${internalEnds} ip6 daddr ${METADATA_V6_ADDRESS} tcp dport 80 redirect to :${ROUTER_METADATA_PORT}`,
        '  }',
        ...proxyOnly,
        '}',
      ]
    : [];
  return (
    [
      `add table ip ${ROUTER_NAT_TABLE}`,
      `delete table ip ${ROUTER_NAT_TABLE}`,
      `table ip ${ROUTER_NAT_TABLE} {`,
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      ...redirect,
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
      ...proxyOnly,
      '}',
      ...v6Table,
      ...v6Metadata,
    ].join('\n') + '\n'
  );
}
