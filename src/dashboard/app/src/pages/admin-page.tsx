import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/http.js';
import type { Session } from '../api/session.js';
import { ErrorBox, Loading, type Loaded } from '../components/load.js';

interface AdminPageProps<T> {
  readonly session: Session;
  readonly title: string;
  readonly loaded: Loaded<T>;
  readonly children: (data: T) => ComponentChildren;
}

/**
 * An admin page. Without the admin role (as Horizon gates its admin panels) or when the API answers
 * 403, a clear "not allowed" view; other errors show their own message.
 */
export function AdminPage<T>({ session, title, loaded, children }: AdminPageProps<T>) {
  const { data, error } = loaded;
  const refused = error instanceof ApiError && error.status === 403;
  if (!session.roles.includes('admin') || refused) {
    return (
      <section>
        <h1>{title}</h1>
        <div class="not-allowed" role="alert">
          <h2>Not allowed</h2>
          <p>This page is for cloud administrators; your role in this project does not allow it.</p>
          {refused && <p class="muted">The API said: {error.message}</p>}
        </div>
      </section>
    );
  }
  return (
    <section>
      <h1>{title}</h1>
      <ErrorBox error={error} />
      {data === undefined ? error === undefined && <Loading what={title.toLowerCase()} /> : children(data)}
    </section>
  );
}
