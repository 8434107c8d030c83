/**
 * The one shape of every seam's contract suite (virt driver, bus transport, database engine, image
 * store, and the volume backends and network data path to come): a table of named cases, each run
 * on a fresh harness of one implementation that is disposed of afterwards, also when the case
 * fails. The suite lives beside the seam's interface as `<interface>.contract.ts` and exports
 * `describe<Interface>Contract(name, factory, options)`; each implementation's own test file calls
 * it and lists the cases it skips, each with its reason.
 */
import { describe, test } from 'node:test';

/** What every harness offers: a way to remove what the case left behind. */
export interface ContractHarness {
  dispose(): Promise<void>;
}

export interface ContractSkip<Case extends string> {
  readonly test: Case;
  readonly reason: string;
}

export interface ContractOptions<Case extends string> {
  /** Why the implementation cannot run here at all (a server that does not answer), or false. */
  readonly unavailable?: string | false;
  /** Cases this implementation does not meet, each with the reason. */
  readonly skips?: readonly ContractSkip<Case>[];
  /** Only these cases, for a harness that suits no others. */
  readonly only?: readonly Case[];
}

export type ContractCases<Harness, Case extends string> = Readonly<Record<Case, (harness: Harness) => Promise<void>>>;

/** Declares `<seam> contract: <implementation>` with one test per case. */
export function describeContract<Harness extends ContractHarness, Case extends string>(
  title: string,
  cases: ContractCases<Harness, Case>,
  create: () => Promise<Harness>,
  { unavailable = false, skips = [], only }: ContractOptions<Case> = {},
): void {
  describe(title, { skip: unavailable }, () => {
    for (const [name, run] of Object.entries(cases) as [Case, (harness: Harness) => Promise<void>][]) {
      if (only !== undefined && !only.includes(name)) continue;
      const skipped = skips.find((entry) => entry.test === name);
      test(name, { skip: skipped?.reason ?? false }, async () => {
        const harness = await create();
        try {
          await run(harness);
        } finally {
          await harness.dispose();
        }
      });
    }
  });
}
