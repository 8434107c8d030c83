import { useState } from 'preact/hooks';
import { call, listFlavors, listImages, listKeyPairs } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { field, fields } from '../components/form-field.js';
import { ErrorBox, useLoad } from '../components/load.js';
import { go } from '../components/route.js';

interface Network {
  readonly id: string;
  readonly name: string;
}
interface SecurityGroup {
  readonly id: string;
  readonly name: string;
}

interface NetworkChoices {
  readonly networks: Network[];
  readonly groups: SecurityGroup[];
  /** The network API's message when it is listed but failed: the rest of the wizard still works. */
  readonly error?: Error;
}

/** Networks and security groups when the catalog lists a network API; none (and no failure) otherwise. */
async function networkChoices(session: Session): Promise<NetworkChoices | undefined> {
  if (session.endpoints['network'] === undefined) return undefined;
  try {
    const [networks, groups] = await Promise.all([
      call<{ networks: Network[] }>(session, 'network', '/v2.0/networks'),
      call<{ security_groups: SecurityGroup[] }>(session, 'network', '/v2.0/security-groups'),
    ]);
    return { networks: networks.networks, groups: groups.security_groups };
  } catch (err) {
    return { networks: [], groups: [], error: err as Error };
  }
}

/** UTF-8 text as base64, as Nova wants user_data. */
function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** The launch form, in the order Horizon's wizard asks: details, source, flavor, networking, key pair, user data. */
export function LaunchWizard({ session }: { session: Session }) {
  const choices = useLoad(
    async () => {
      const [images, flavors, keypairs, network] = await Promise.all([listImages(session), listFlavors(session), listKeyPairs(session), networkChoices(session)]);
      return { images: images.filter((i) => i.status === 'active'), flavors: flavors.sort((a, b) => a.ram - b.ram), keypairs, network };
    },
    [session.token],
  );
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const count = Number(form.get('count'));
    const network = field(form, 'network');
    const groups = fields(form, 'security_groups');
    const userData = field(form, 'user_data');
    const keyName = field(form, 'key_name');
    const server: Record<string, unknown> = {
      name: field(form, 'name'),
      imageRef: field(form, 'image'),
      flavorRef: field(form, 'flavor'),
      min_count: count,
      max_count: count,
      networks: network === '' ? 'none' : [{ uuid: network }],
      ...(keyName === '' ? {} : { key_name: keyName }),
      ...(userData === '' ? {} : { user_data: base64(userData) }),
      ...(groups.length === 0 ? {} : { security_groups: groups.map((name) => ({ name })) }),
    };
    setBusy(true);
    try {
      await call(session, 'compute', '/servers', { method: 'POST', body: { server } });
      go('/instances');
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  const data = choices.data;
  return (
    <section>
      <h1>Launch instance</h1>
      <ErrorBox error={error ?? choices.error} />
      {data && (
        <form class="wizard" onSubmit={(e) => void submit(e)}>
          <fieldset>
            <legend>1. Details</legend>
            <label>
              Instance name
              <input name="name" required />
            </label>
            <label>
              Count
              <input name="count" type="number" min={1} max={20} defaultValue="1" required />
            </label>
          </fieldset>
          <fieldset>
            <legend>2. Source</legend>
            <label>
              Image
              <select name="image" required>
                {data.images.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name ?? i.id}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>3. Flavor</legend>
            <label>
              Flavor
              <select name="flavor" required>
                {data.flavors.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name} ({f.vcpus} vCPU, {f.ram} MiB RAM, {f.disk} GiB disk)
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>4. Networking</legend>
            {data.network === undefined ? (
              <p class="notice">This cloud's catalog has no network API: the instance is launched without a network.</p>
            ) : (
              <>
                <ErrorBox error={data.network.error} />
                <label>
                  Network
                  <select name="network">
                    <option value="">None</option>
                    {data.network.networks.map((n) => (
                      <option key={n.id} value={n.id}>
                        {n.name}
                      </option>
                    ))}
                  </select>
                </label>
                <fieldset class="checks">
                  <legend>Security groups</legend>
                  {data.network.groups.map((g) => (
                    <label key={g.id}>
                      <input type="checkbox" name="security_groups" value={g.name} defaultChecked={g.name === 'default'} /> {g.name}
                    </label>
                  ))}
                </fieldset>
              </>
            )}
          </fieldset>
          <fieldset>
            <legend>5. Key pair</legend>
            <label>
              Key pair
              <select name="key_name">
                <option value="">None</option>
                {data.keypairs.map((k) => (
                  <option key={k.name} value={k.name}>
                    {k.name}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>6. Configuration</legend>
            <label>
              User data
              <textarea name="user_data" rows={4} placeholder="#cloud-config" />
            </label>
          </fieldset>
          <div class="buttons">
            <a class="button" href="#/instances">
              Cancel
            </a>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Launching…' : 'Launch'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
