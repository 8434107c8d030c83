/** The admin pages: one chunk, fetched the first time an admin page is opened. */
import './resource-pages.css';
export { AdminFlavorsPage, AdminHypervisorsPage } from './admin.js';
export { AdminServicesPage } from './admin-services.js';
export { AdminIdentityPage } from './admin-identity.js';
export { AdminInstancesPage } from './admin-instances.js';
export { AdminImagesPage, AdminNetworksPage, AdminVolumesPage } from './admin-resources.js';
export { AdminZonesPage } from './admin-zones.js';
