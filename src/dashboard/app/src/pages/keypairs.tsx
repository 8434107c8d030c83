import { useState } from 'preact/hooks';
import { call, KEYPAIR_GENERATION_MICROVERSION, listKeyPairs, type KeyPair } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';

/** Key pairs: import a public key, or let Nova make one and show its private key once. */
export function KeyPairsPage({ session }: { session: Session }) {
  const keypairs = useLoad(() => listKeyPairs(session), [session.token]);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [privateKey, setPrivateKey] = useState<{ name: string; pem: string } | undefined>(undefined);
  const [deleting, setDeleting] = useState<KeyPair | undefined>(undefined);
  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const publicKey = field(form, 'public_key').trim();
    const name = field(form, 'name');
    try {
      const { keypair } = await call<{ keypair: { private_key?: string } }>(session, 'compute', '/os-keypairs', {
        method: 'POST',
        body: { keypair: { name, ...(publicKey === '' ? {} : { public_key: publicKey }) } },
        // Without a public key Nova generates the pair, which it does up to 2.91 only.
        ...(publicKey === '' ? { microversion: KEYPAIR_GENERATION_MICROVERSION } : {}),
      });
      setPrivateKey(keypair.private_key === undefined ? undefined : { name, pem: keypair.private_key });
      setError(undefined);
      formElement.reset();
      keypairs.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const remove = async (keypair: KeyPair) => {
    setDeleting(undefined);
    try {
      await call(session, 'compute', `/os-keypairs/${encodeURIComponent(keypair.name)}`, { method: 'DELETE' });
      keypairs.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <h1>Key pairs</h1>
      <form class="inline-form" onSubmit={(e) => void create(e)} aria-label="Create or import a key pair">
        <label>
          Key pair name
          <input name="name" required />
        </label>
        <label>
          Public key (empty: generate one)
          <textarea name="public_key" rows={2} />
        </label>
        <button type="submit" class="primary">
          Create
        </button>
      </form>
      {privateKey && (
        <div class="notice">
          <p>
            The private key of {privateKey.name}, shown only now:{' '}
            <a download={`${privateKey.name}.pem`} href={`data:application/x-pem-file;charset=utf-8,${encodeURIComponent(privateKey.pem)}`}>
              Download {privateKey.name}.pem
            </a>
          </p>
          <pre class="console">{privateKey.pem}</pre>
        </div>
      )}
      <ErrorBox error={error ?? keypairs.error} />
      {keypairs.data === undefined ? (
        <Loading what="key pairs" />
      ) : (
        <DataTable headings={['Name', 'Type', 'Fingerprint', 'Actions']}>
          {keypairs.data.map((k) => (
            <tr key={k.name}>
              <td>{k.name}</td>
              <td>{k.type ?? 'ssh'}</td>
              <td>
                <code>{k.fingerprint}</code>
              </td>
              <td>
                <DeleteButton what={`key pair ${k.name}`} onClick={() => setDeleting(k)} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {deleting && (
        <Confirm question={`Delete key pair ${deleting.name}?`} confirmLabel="Delete" onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(undefined)} />
      )}
    </section>
  );
}
