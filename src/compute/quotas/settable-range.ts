/** What a new limit for one resource may be (Nova's get_settable_quotas); -1 is unlimited. */
export interface SettableRange {
  readonly minimum: number;
  readonly maximum: number;
}

export interface SettableRangeInput {
  /** The project's limit for the resource. */
  readonly projectLimit: number;
  /** What the project (or, for a user's limit, the user) uses. */
  readonly inUse: number;
  /** The limits the project's users were given for the resource. */
  readonly givenToUsers: readonly number[];
  /** Set when the range is for a user's own limit: what they were given so far, if anything. */
  readonly user?: { readonly own: number | undefined };
}

const UNLIMITED = -1;

/**
 * A project's limit may not go below its use nor below what its users were given; a user's
 * limit may not go below the user's use nor above what the project has left to give plus what
 * the user holds already (project 20, two users given 5 each: one of them may get up to 15).
 */
export function settableRange({ projectLimit, inUse, givenToUsers, user }: SettableRangeInput): SettableRange {
  // A user limit of -1 takes nothing from the others' share.
  const given = givenToUsers.filter((limit) => limit !== UNLIMITED).reduce((sum, limit) => sum + limit, 0);
  const remains = projectLimit === UNLIMITED ? UNLIMITED : projectLimit - given;
  if (user === undefined) return { minimum: projectLimit === UNLIMITED ? inUse : Math.max(given, inUse), maximum: UNLIMITED };
  const own = user.own ?? 0;
  return { minimum: inUse, maximum: remains === UNLIMITED || own === UNLIMITED ? UNLIMITED : remains + own };
}
