import { useCallback, useEffect, useState } from 'preact/hooks';
import { AbsentApi } from '../api/cloud.js';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly reload: () => void;
}

/** Loads `fetcher` now and, with `pollMs`, again every so often (live status without a reload). */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    fetcher().then(
      (value) => live && (setData(value), setError(undefined)),
      (err: unknown) => live && setError(err instanceof Error ? err : new Error(String(err))),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [pollMs, reload]);
  return { data, error, reload };
}

/** An error as the user should read it: the API's own message, or the absent-API notice. */
export function ErrorBox({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  if (error instanceof AbsentApi) {
    return (
      <div class="notice" role="status">
        <strong>Not available.</strong> {error.message} This page needs the {error.serviceType} service.
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}
