/** The contract every volume scheduler filter implements: a pure predicate, as compute's filters are. */
import type { FilterResult } from '../../../common/scheduling/filter-result.js';
import type { BackendState } from '../backend-state.js';
import type { VolumeRequestSpec } from '../request-spec.js';

export { PASS, reject, type FilterResult } from '../../../common/scheduling/filter-result.js';

export interface BackendFilter {
  /** Cinder's class name, used in `[volume] scheduler_default_filters` and log lines. */
  readonly name: string;
  /** Never mutates either argument. */
  readonly backendPasses: (backend: Readonly<BackendState>, spec: Readonly<VolumeRequestSpec>) => FilterResult;
}
