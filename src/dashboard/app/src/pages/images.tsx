import { useState } from 'preact/hooks';
import { call, endpointOf, listImages, type Image } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { uploadWithProgress } from '../api/upload.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';

const DISK_FORMATS = ['qcow2', 'raw', 'iso', 'vmdk', 'vdi', 'vhd', 'ami'];

function sizeText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Image upload: create the record, then send the file's bytes with a progress bar. */
function UploadForm({ session, onDone }: { session: Session; onDone: () => void }) {
  const [progress, setProgress] = useState<number | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const file = form.get('file');
    if (!(file instanceof File)) return;
    setError(undefined);
    setProgress(0);
    try {
      const image = await call<Image>(session, 'image', '/v2/images', {
        method: 'POST',
        body: { name: field(form, 'name') || file.name, disk_format: field(form, 'disk_format'), container_format: 'bare' },
      });
      await uploadWithProgress(`${endpointOf(session, 'image')}/v2/images/${image.id}/file`, session.token, file, setProgress);
      setProgress(1);
      onDone();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} aria-label="Upload an image">
      <label>
        Image name
        <input name="name" />
      </label>
      <label>
        File
        <input name="file" type="file" required />
      </label>
      <label>
        Disk format
        <select name="disk_format">
          {DISK_FORMATS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary" disabled={progress !== undefined && progress < 1}>
        Upload
      </button>
      {progress !== undefined && (
        <span class="progress-line">
          <progress class="upload-progress" max={100} value={Math.round(progress * 100)} aria-label="Upload progress" />
          <span aria-live="polite">{progress < 1 ? `${Math.round(progress * 100)}% sent` : 'Uploaded'}</span>
        </span>
      )}
      <ErrorBox error={error} />
    </form>
  );
}

export function ImagesPage({ session }: { session: Session }) {
  const images = useLoad(() => listImages(session), [session.token], 5000);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [deleting, setDeleting] = useState<Image | undefined>(undefined);
  const remove = async (image: Image) => {
    setDeleting(undefined);
    try {
      await call(session, 'image', `/v2/images/${image.id}`, { method: 'DELETE' });
      images.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <h1>Images</h1>
      <UploadForm session={session} onDone={images.reload} />
      <ErrorBox error={error ?? images.error} />
      {images.data === undefined ? (
        <Loading what="images" />
      ) : (
        <DataTable headings={['Name', 'Status', 'Visibility', 'Format', 'Size', 'Actions']}>
          {images.data.map((image) => (
            <tr key={image.id} data-image={image.name}>
              <td>{image.name ?? image.id}</td>
              <td>
                <StatusBadge status={image.status} />
              </td>
              <td>{image.visibility}</td>
              <td>{image.disk_format ?? ''}</td>
              <td>{sizeText(image.size)}</td>
              <td>
                {image.owner === session.project.id && (
                  <DeleteButton what={`image ${image.name ?? image.id}`} onClick={() => setDeleting(image)} />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {deleting && (
        <Confirm
          question={`Delete image ${deleting.name ?? deleting.id}?`}
          confirmLabel="Delete"
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </section>
  );
}
