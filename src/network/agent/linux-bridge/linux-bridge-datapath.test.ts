import { runDatapathContract } from '../datapath.contract.test.js';
import { linuxBridgeSkip, linuxHarness } from './testing/linux-harness.js';

// The shared behaviour; traffic through real bridges, namespaces, dnsmasq and nftables is in
// linux-bridge-traffic.test.ts.
runDatapathContract({ name: 'linux-bridge', create: linuxHarness, skip: await linuxBridgeSkip() });
