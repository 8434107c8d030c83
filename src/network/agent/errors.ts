/** What the data path refuses, as typed errors the agent reports back for the port or network. */

/** A spec the data path will not turn into kernel names or rules (a bad id, MAC, address or CIDR). */
export class InvalidDatapathSpec extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDatapathSpec';
  }
}

/** A port, router interface or gateway names a network this host has not wired. */
export class NetworkNotWired extends Error {
  constructor(networkId: string) {
    super(`network ${networkId} is not wired on this host (ensureNetwork first)`);
    this.name = 'NetworkNotWired';
  }
}

/** A network that still has ports or routers on it cannot be deleted. */
export class NetworkInUse extends Error {
  constructor(networkId: string, users: readonly string[]) {
    super(`network ${networkId} still has ${users.join(', ')} on this host`);
    this.name = 'NetworkInUse';
  }
}
