import type { Session } from '../api/session.js';
import { lazyPage } from '../components/lazy-page.js';
import { ImagesPage } from './images.js';
import { InstancePage } from './instance-page.js';
import { InstancesPage } from './instances.js';
import { KeyPairsPage } from './keypairs.js';
import { LaunchWizard } from './launch-wizard.js';
import { OverviewPage } from './overview.js';
import { RequestTimelinePage } from './request-timeline.js';

/** Pages of their own chunk, fetched the first time they are opened. */
const VolumesPage = lazyPage(async () => (await import('./volumes.js')).VolumesPage, 'the volumes page');
const NetworkPage = lazyPage(async () => (await import('./network.js')).NetworkPage, 'the network page');
const adminPages = () => import('./admin-pages.js');
/** The admin pages by their path under `/admin/`, all in one chunk. */
const ADMIN_PAGES = {
  instances: lazyPage(async () => (await adminPages()).AdminInstancesPage, 'all instances'),
  hypervisors: lazyPage(async () => (await adminPages()).AdminHypervisorsPage, 'the hypervisors'),
  services: lazyPage(async () => (await adminPages()).AdminServicesPage, 'the services'),
  volumes: lazyPage(async () => (await adminPages()).AdminVolumesPage, 'all volumes'),
  networks: lazyPage(async () => (await adminPages()).AdminNetworksPage, 'all networks'),
  images: lazyPage(async () => (await adminPages()).AdminImagesPage, 'all images'),
  flavors: lazyPage(async () => (await adminPages()).AdminFlavorsPage, 'the flavors'),
  zones: lazyPage(async () => (await adminPages()).AdminZonesPage, 'aggregates and zones'),
  identity: lazyPage(async () => (await adminPages()).AdminIdentityPage, 'projects and users'),
} as const;

export interface NavItem {
  readonly path: string;
  readonly label: string;
  readonly admin?: boolean;
}

export const NAV: readonly NavItem[] = [
  { path: '/overview', label: 'Overview' },
  { path: '/instances', label: 'Instances' },
  { path: '/images', label: 'Images' },
  { path: '/keypairs', label: 'Key pairs' },
  { path: '/volumes', label: 'Volumes' },
  { path: '/networks', label: 'Networks' },
  { path: '/admin/instances', label: 'All instances', admin: true },
  { path: '/admin/hypervisors', label: 'Hypervisors', admin: true },
  { path: '/admin/services', label: 'Services', admin: true },
  { path: '/admin/volumes', label: 'All volumes', admin: true },
  { path: '/admin/networks', label: 'All networks', admin: true },
  { path: '/admin/images', label: 'All images', admin: true },
  { path: '/admin/flavors', label: 'Flavors', admin: true },
  { path: '/admin/zones', label: 'Aggregates and zones', admin: true },
  { path: '/admin/identity', label: 'Projects and users', admin: true },
];

/** The page a fragment path names (`/instances/<id>` is one instance's page). */
export function pageFor(route: string, session: Session) {
  const [, section, rest] = route.split('/');
  switch (section) {
    case 'instances':
      if (rest === 'launch') return <LaunchWizard session={session} />;
      return rest ? <InstancePage key={rest} session={session} id={rest} /> : <InstancesPage session={session} />;
    case 'images':
      return <ImagesPage session={session} />;
    case 'keypairs':
      return <KeyPairsPage session={session} />;
    case 'volumes':
      return <VolumesPage session={session} />;
    case 'networks':
      return <NetworkPage session={session} />;
    case 'timeline':
      if (rest) return <RequestTimelinePage key={rest} session={session} requestId={decodeURIComponent(rest)} />;
      break;
    case 'admin': {
      const AdminPage = rest !== undefined && Object.hasOwn(ADMIN_PAGES, rest) ? ADMIN_PAGES[rest as keyof typeof ADMIN_PAGES] : undefined;
      if (AdminPage !== undefined) return <AdminPage session={session} />;
      break;
    }
    default:
      return <OverviewPage session={session} />;
  }
  return <p>No such page.</p>;
}
