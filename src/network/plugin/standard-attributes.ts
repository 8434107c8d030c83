import type { NetworkStore } from '../db/network-store.js';

/** The standard attribute columns of a new row. */
export function newStandardColumns(store: NetworkStore, description: string | undefined): {
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
} {
  const now = store.timestamp();
  return { description: description ?? '', created_at: now, updated_at: now, revision_number: 0 };
}

/** Neutron prints whole seconds: `2026-12-04T10:15:30Z`. */
export function neutronTimestamp(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/** The row columns behind the standard attributes. */
type StandardRow = { project_id: string; description: string; created_at: string; updated_at: string; revision_number: number | string };

/** An attribute of a view: its name and what makes its value from the row and what was read beside it. */
export type ViewAttribute<R, B> = readonly [string, (row: R, beside: B) => unknown];

/** The attributes every resource shows, in order: owner under both names, description, timestamps, revision, and `tags` when given. */
export function standardAttributes<R extends StandardRow, B>(tags?: (row: R, beside: B) => readonly string[]): ViewAttribute<R, B>[] {
  const shown: ViewAttribute<R, B>[] = [
    ['tenant_id', (row) => row.project_id],
    ['project_id', (row) => row.project_id],
    ['description', (row) => row.description],
    ['created_at', (row) => neutronTimestamp(row.created_at)],
    ['updated_at', (row) => neutronTimestamp(row.updated_at)],
    ['revision_number', (row) => Number(row.revision_number)],
  ];
  return tags === undefined ? shown : [...shown, ['tags', (row, beside) => [...tags(row, beside)]]];
}

const STANDARD_ATTRIBUTES = standardAttributes<StandardRow, readonly string[]>((_row, tags) => tags);

/** The standard attributes of a row (with its tags when given). */
export function standardView(row: StandardRow, tags?: readonly string[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [name, value] of STANDARD_ATTRIBUTES) if (name !== 'tags' || tags !== undefined) view[name] = value(row, tags ?? []);
  return view;
}

/** A stored JSON list or object, read back. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
