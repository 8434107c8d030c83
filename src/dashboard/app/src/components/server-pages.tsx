import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { listServers, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { useLoad, type Loaded } from './load.js';

/** Milliseconds between refreshes of the page shown: statuses change without a reload. */
const POLL_MS = 2000;
/** Rows per page: thousands of servers are read and drawn a page at a time. */
const PAGE_SIZE = 50;

export interface ServerPages {
  readonly servers: Loaded<Server[]>;
  /** The previous/next buttons, when there is more than one page. */
  readonly pager: JSX.Element | null;
}

/** The servers `filters` select, a page at a time (Nova's limit/marker), the page shown polled. */
export function useServerPages(session: Session, filters: Readonly<Record<string, string>> = {}): ServerPages {
  // The markers of the pages before this one (Nova pages forward only).
  const [markers, setMarkers] = useState<(string | undefined)[]>([]);
  const marker = markers.at(-1);
  const page = useLoad(() => listServers(session, PAGE_SIZE, marker, filters), [session.token, marker], POLL_MS);
  const next = page.data?.next;
  const pager =
    markers.length > 0 || next !== undefined ? (
      <nav class="pager" aria-label="Instance pages">
        <button type="button" disabled={markers.length === 0} onClick={() => setMarkers(markers.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {markers.length + 1}</span>
        <button type="button" disabled={next === undefined} onClick={() => setMarkers([...markers, next])}>
          Next page
        </button>
      </nav>
    ) : null;
  return { servers: { ...page, data: page.data?.servers }, pager };
}
