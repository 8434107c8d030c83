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

/** The attributes every resource shows: owner under both names, description, timestamps, revision, tags. */
export function standardView(
  row: { project_id: string; description: string; created_at: string; updated_at: string; revision_number: number | string },
  tags?: readonly string[],
): Record<string, unknown> {
  return {
    tenant_id: row.project_id,
    project_id: row.project_id,
    description: row.description,
    created_at: neutronTimestamp(row.created_at),
    updated_at: neutronTimestamp(row.updated_at),
    revision_number: Number(row.revision_number),
    ...(tags === undefined ? {} : { tags: [...tags] }),
  };
}

/** A stored JSON list or object, read back. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
