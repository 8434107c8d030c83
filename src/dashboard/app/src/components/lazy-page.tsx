import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Loading } from './load.js';

/**
 * A page fetched as its own chunk the first time it is shown (`() => import('./volumes.js')`),
 * so the first load carries only the pages everyone opens.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>, what: string): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyPage(props: P) {
    // Rendered again once the chunk is in (`loaded` itself lives outside, for every later visit).
    const [, setReady] = useState(loaded !== undefined);
    const [error, setError] = useState<Error | undefined>(undefined);
    useEffect(() => {
      if (loaded !== undefined) return;
      let live = true;
      pending ??= load();
      pending.then(
        (page) => {
          loaded = page;
          if (live) setReady(true);
        },
        (err: unknown) => {
          // A later visit tries again (a chunk lost to a deploy or a dropped connection).
          pending = undefined;
          if (live) setError(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (loaded !== undefined) {
      const Page = loaded;
      return <Page {...props} />;
    }
    return error === undefined ? <Loading what={what} /> : <ErrorBox error={error} />;
  };
}
