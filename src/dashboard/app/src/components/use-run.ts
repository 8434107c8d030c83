import { useState } from 'preact/hooks';

export interface Runner {
  /** The last call's failure, with the API's own message; cleared by the next success. */
  readonly error: Error | undefined;
  readonly run: (work: () => Promise<unknown>) => Promise<void>;
}

/** Runs a page's API calls one at a time through `run`, then `onDone` (the page's reload). */
export function useRun(onDone: () => void): Runner {
  const [error, setError] = useState<Error | undefined>(undefined);
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
    onDone();
  };
  return { error, run };
}
