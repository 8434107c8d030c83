import { AbsentApi, endpointOf } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { ErrorBox } from '../components/load.js';

/**
 * Pages for services whose dashboard pages come later (volumes, networks): they say whether the
 * catalog lists the API at all, and never fail.
 */
interface AbsentApiProps {
  readonly session: Session;
  readonly title: string;
  readonly serviceType: string;
  /** A part of another page (the overview): an h2 rather than the page's h1. */
  readonly nested?: boolean;
}

export function AbsentApiPage({ session, title, serviceType, nested = false }: AbsentApiProps) {
  const Heading = nested ? 'h2' : 'h1';
  let present = true;
  try {
    endpointOf(session, serviceType);
  } catch {
    present = false;
  }
  return (
    <section>
      <Heading>{title}</Heading>
      {present ? (
        <p class="notice">The {serviceType} API is in the catalog; its pages are not in the dashboard yet.</p>
      ) : (
        <ErrorBox error={new AbsentApi(serviceType)} />
      )}
    </section>
  );
}
