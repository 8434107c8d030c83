import type { WebSite } from '../../common/http/web-site.js';
import { dashboardSite } from '../../dashboard/server/dashboard-site.js';

/** The browser pages every API node hosts beside its service APIs. */
export function createWebSites(): WebSite[] {
  return [dashboardSite()];
}
