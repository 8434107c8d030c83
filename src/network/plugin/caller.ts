/** Who asks the plugin: the project that will own what they create, and whether they administer the cloud. */
export interface Caller {
  readonly projectId: string | undefined;
  readonly isAdmin: boolean;
}

/** A resource as the API shows it: Neutron's attribute names (`router:external`, `binding:host_id`) as keys. */
export type ResourceView = Readonly<Record<string, unknown>>;
