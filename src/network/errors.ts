import { NimbusError } from '../common/errors/errors.js';

/**
 * An error Neutron raises under a class name of its own (`NetworkNotFound`, `IpAddressAlreadyAllocated`,
 * `OverQuota`): the fault handler puts the name in NeutronError's `type`, which clients match on.
 */
export class NeutronFault extends NimbusError {
  constructor(status: number, type: string, message: string) {
    super(status, message);
    this.name = type;
  }
}

/** `<Kind>NotFound` as Neutron words it: "Network 1234 could not be found." */
export function notFound(kind: string, id: string, type = `${kind.replace(/ /g, '')}NotFound`): NeutronFault {
  return new NeutronFault(404, type, `${kind} ${id} could not be found.`);
}

export function badRequest(message: string, type = 'BadRequest'): NeutronFault {
  return new NeutronFault(400, type, message);
}

export function invalidInput(message: string): NeutronFault {
  return new NeutronFault(400, 'InvalidInput', `Invalid input for operation: ${message}`);
}

export function conflict(type: string, message: string): NeutronFault {
  return new NeutronFault(409, type, message);
}
