/** What every service API needs from the composition root, whatever else it takes. */
export interface ApiServiceDeps {
  /** Base URL clients reach the listener at (no trailing slash); version links and the catalog use it. */
  readonly publicUrl: string;
}
