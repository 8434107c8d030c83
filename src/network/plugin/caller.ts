/** Who asks the plugin: the project that will own what they create, and whether they administer the cloud. */
export interface Caller {
  readonly projectId: string | undefined;
  readonly isAdmin: boolean;
}

/** A resource as the API shows it: Neutron's attribute names (`router:external`, `binding:host_id`) as keys. */
export type ResourceView = Readonly<Record<string, unknown>>;

/**
 * All that a list reads of each view (what it shows, sorts on and filters by); undefined: all of
 * them. An attribute outside it may be left empty rather than read.
 */
export type AttributesRead = ReadonlySet<string> | undefined;

/** Whether a list reading `attributes` reads `attribute`. */
export function readsAttribute(attributes: AttributesRead, attribute: string): boolean {
  return attributes === undefined || attributes.has(attribute);
}
