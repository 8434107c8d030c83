import type { WebSite } from '../../common/http/web-site.js';
import type { ConsoleAuth } from '../../compute/console/console-auth.js';
import { consoleProxySite } from '../../dashboard/server/console-proxy-site.js';
import { DASHBOARD_BUILD_DIR, dashboardSite } from '../../dashboard/server/dashboard-site.js';

/** What the sites are built on: the console tokens where the node serves compute. */
export interface WebSiteParts {
  readonly consoleAuth?: ConsoleAuth;
}

/** The browser pages every API node hosts beside its service APIs, and the console proxy where it serves compute. */
export function createWebSites(parts: WebSiteParts = {}): WebSite[] {
  const { consoleAuth } = parts;
  return [dashboardSite(), ...(consoleAuth === undefined ? [] : [consoleProxySite({ consoleAuth, buildDir: DASHBOARD_BUILD_DIR })])];
}
