import { NimbusError } from '../../common/errors/errors.js';

/** How many hosts one enabled filter saw and let through, in run order (Nova's filter results). */
export interface FilterCount {
  readonly filter: string;
  readonly start: number;
  readonly end: number;
}

/**
 * No host passes the filters (Nova's NoValidHost). The conductor puts the instance in ERROR with
 * this message as its fault; it never reaches an HTTP response directly, hence 500.
 */
export class NoValidHost extends NimbusError {
  readonly filterResults: readonly FilterCount[];

  constructor(reason: string, filterResults: readonly FilterCount[] = []) {
    super(500, `No valid host was found. ${reason}`);
    this.filterResults = filterResults;
  }
}

export const NOT_ENOUGH_HOSTS = 'There are not enough hosts available.';
