import { BadRequest, Conflict, NimbusError, NotFound, NotImplemented } from '../../common/errors/errors.js';
import type { PowerState } from './power-state.js';
import { powerStateName } from './power-state.js';

// What a driver throws. Messages follow nova/exception.py so faults read as Nova's do.

/** The hypervisor holds no guest with this uuid. */
export class InstanceNotFound extends NotFound {
  readonly instanceUuid: string;

  constructor(instanceUuid: string) {
    super(`Instance ${instanceUuid} could not be found.`);
    this.instanceUuid = instanceUuid;
  }
}

/** spawn() of a uuid the hypervisor already holds. */
export class InstanceExists extends Conflict {
  constructor(instanceUuid: string) {
    super(`Instance ${instanceUuid} already exists.`);
  }
}

/** The guest's current state forbids the operation (e.g. unpause of a running guest). */
export class InstanceInvalidState extends Conflict {
  readonly instanceUuid: string;
  readonly operation: string;

  constructor(instanceUuid: string, operation: string, state: PowerState | 'rescued' | 'not rescued') {
    const described = typeof state === 'number' ? `power_state ${powerStateName(state)}` : `rescue state ${state}`;
    super(`Instance ${instanceUuid} in ${described}. Cannot ${operation} while the instance is in this state.`);
    this.instanceUuid = instanceUuid;
    this.operation = operation;
  }
}

/** The hypervisor could not carry out an operation; `operation` names the driver method. */
export class DriverOperationFailed extends NimbusError {
  readonly operation: string;
  readonly instanceUuid: string | undefined;

  constructor(operation: string, reason: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    const subject = options.instanceUuid === undefined ? '' : ` of instance ${options.instanceUuid}`;
    super(500, `${operation}${subject} failed: ${reason}`, { cause: options.cause });
    this.operation = operation;
    this.instanceUuid = options.instanceUuid;
  }
}

/** Nova's raise_feature_not_supported: the host's driver does not offer the operation (501, nothing changed). */
export class FeatureNotSupported extends NotImplemented {
  constructor() {
    super('The requested functionality is not supported.');
  }
}

/**
 * The driver does not offer this operation. Callers check `capabilities` first (the API turns a
 * missing capability into 501 in one place); this is the driver's own guard behind that check.
 */
export class NotSupportedByDriver extends NotImplemented {
  constructor(driverType: string, operation: string) {
    super(`The ${driverType} driver does not support ${operation}.`);
  }
}

/** Nova's ConsoleTypeUnavailable: the guest has no console of the kind asked for (400). */
export class ConsoleTypeUnavailable extends BadRequest {
  constructor(consoleType: string) {
    super(`Unavailable console type ${consoleType}.`);
  }
}

/** A device (volume, interface) the guest does not have. */
export class DeviceNotFound extends NotFound {
  constructor(device: string) {
    super(`Device '${device}' not found.`);
  }
}

/** A device name or volume already in use on the guest. */
export class DeviceBusy extends Conflict {
  constructor(device: string) {
    super(`The supplied device ${device} is busy.`);
  }
}
