/** The admin pages: one chunk, fetched the first time an admin page is opened. */
export { AdminFlavorsPage, AdminHypervisorsPage, AdminServicesPage } from './admin.js';
export { AdminIdentityPage } from './admin-identity.js';
export { AdminInstancesPage } from './admin-instances.js';
export { AdminImagesPage, AdminNetworksPage, AdminVolumesPage } from './admin-resources.js';
export { AdminZonesPage } from './admin-zones.js';
