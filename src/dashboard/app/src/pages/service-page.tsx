import type { ComponentChildren } from 'preact';
import { AbsentApi } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { ErrorBox } from '../components/load.js';

interface ServicePageProps {
  readonly session: Session;
  readonly title: string;
  readonly serviceType: string;
  /** A part of another page (the overview): an h2 rather than the page's h1. */
  readonly nested?: boolean;
  readonly children: ComponentChildren;
}

/**
 * A page (or the overview's part) of one catalog service: its content when the token's catalog
 * lists the service, else a notice that this cloud has no such API, never a failure.
 */
export function ServicePage({ session, title, serviceType, nested = false, children }: ServicePageProps) {
  const Heading = nested ? 'h2' : 'h1';
  return (
    <section>
      <Heading>{title}</Heading>
      {session.endpoints[serviceType] === undefined ? <ErrorBox error={new AbsentApi(serviceType)} /> : children}
    </section>
  );
}
