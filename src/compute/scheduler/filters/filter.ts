/** The contract every scheduler filter implements: a pure predicate plus metadata. */
import type { HostState } from '../host-state.js';
import type { RequestSpec } from '../request-spec.js';
import type { FilterResult } from '../../../common/scheduling/filter-result.js';

export { PASS, reject, resultOf, type FilterResult } from '../../../common/scheduling/filter-result.js';

export interface HostFilter {
  /** Nova's class name, used in `enabled_filters` and in log lines. */
  readonly name: string;
  /** Whether a rebuild to a new image re-checks the host it is on (Nova's RUN_ON_REBUILD). */
  readonly runOnRebuild: boolean;
  /**
   * The answer cannot change between the instances of one multi-create request, so only the
   * first instance runs it (Nova's run_filter_once_per_request).
   */
  readonly runOncePerRequest: boolean;
  /** Lower runs first: cheap field comparisons before set lookups and string parsing. */
  readonly cost: number;
  /** Never mutates either argument. */
  readonly hostPasses: (host: Readonly<HostState>, spec: Readonly<RequestSpec>) => FilterResult;
}
