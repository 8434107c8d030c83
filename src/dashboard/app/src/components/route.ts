import { useEffect, useState } from 'preact/hooks';

/** The page path from the URL fragment (`#/instances/abc` → `/instances/abc`): the server serves one page. */
export function useRoute(): string {
  const read = () => location.hash.replace(/^#/, '') || '/overview';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function go(path: string): void {
  location.hash = `#${path}`;
}
