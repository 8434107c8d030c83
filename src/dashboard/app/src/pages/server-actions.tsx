import { useState } from 'preact/hooks';
import { call, serverAction, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';

/** One lifecycle operation: when it applies, what it sends, and whether it asks first. */
interface ServerOperation {
  readonly id: string;
  readonly label: string;
  readonly applies: (server: Server) => boolean;
  readonly run: (session: Session, server: Server) => Promise<unknown>;
  readonly destructive?: boolean;
}

const is = (...statuses: string[]) => (server: Server) => statuses.includes(server.status);
const act = (body: Record<string, unknown>) => (session: Session, server: Server) => serverAction(session, server.id, body);

export const SERVER_OPERATIONS: readonly ServerOperation[] = [
  { id: 'start', label: 'Start', applies: is('SHUTOFF'), run: act({ 'os-start': null }) },
  { id: 'stop', label: 'Stop', applies: is('ACTIVE', 'ERROR'), run: act({ 'os-stop': null }), destructive: true },
  { id: 'reboot', label: 'Reboot', applies: is('ACTIVE', 'SHUTOFF'), run: act({ reboot: { type: 'SOFT' } }), destructive: true },
  { id: 'pause', label: 'Pause', applies: is('ACTIVE'), run: act({ pause: null }) },
  { id: 'unpause', label: 'Unpause', applies: is('PAUSED'), run: act({ unpause: null }) },
  { id: 'suspend', label: 'Suspend', applies: is('ACTIVE'), run: act({ suspend: null }) },
  { id: 'resume', label: 'Resume', applies: is('SUSPENDED'), run: act({ resume: null }) },
  { id: 'lock', label: 'Lock', applies: (s) => s.locked !== true, run: act({ lock: null }) },
  { id: 'unlock', label: 'Unlock', applies: (s) => s.locked === true, run: act({ unlock: null }) },
  { id: 'rescue', label: 'Rescue', applies: is('ACTIVE', 'SHUTOFF'), run: act({ rescue: null }), destructive: true },
  { id: 'unrescue', label: 'Unrescue', applies: is('RESCUE'), run: act({ unrescue: null }) },
  { id: 'shelve', label: 'Shelve', applies: is('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'), run: act({ shelve: null }), destructive: true },
  { id: 'unshelve', label: 'Unshelve', applies: is('SHELVED', 'SHELVED_OFFLOADED'), run: act({ unshelve: null }) },
  {
    id: 'snapshot',
    label: 'Create snapshot',
    applies: is('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'),
    run: (session, server) => serverAction(session, server.id, { createImage: { name: `${server.name}-snapshot-${new Date().toISOString().slice(0, 19)}` } }),
  },
  { id: 'confirm-resize', label: 'Confirm resize', applies: is('VERIFY_RESIZE'), run: act({ confirmResize: null }) },
  { id: 'revert-resize', label: 'Revert resize', applies: is('VERIFY_RESIZE'), run: act({ revertResize: null }), destructive: true },
  {
    id: 'delete',
    label: 'Delete',
    applies: () => true,
    run: (session, server) => call(session, 'compute', `/servers/${server.id}`, { method: 'DELETE' }),
    destructive: true,
  },
];

interface ActionMenuProps {
  readonly session: Session;
  readonly server: Server;
  readonly onDone: () => void;
  readonly onError: (error: Error) => void;
}

/**
 * A disclosure button listing the operations that apply now, as buttons (a select would run an
 * action on every arrow key); Escape closes it; destructive ones ask for confirmation.
 */
export function ActionMenu({ session, server, onDone, onError }: ActionMenuProps) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<ServerOperation | undefined>(undefined);
  const run = async (operation: ServerOperation) => {
    setPending(undefined);
    try {
      await operation.run(session, server);
      onDone();
    } catch (err) {
      onError(err as Error);
    }
  };
  const choose = (operation: ServerOperation) => {
    setOpen(false);
    if (operation.destructive) setPending(operation);
    else void run(operation);
  };
  const menuId = `actions-${server.id}`;
  return (
    <div class="action-menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button type="button" aria-expanded={open} aria-controls={menuId} aria-label={`Actions for ${server.name}`} onClick={() => setOpen(!open)}>
        Actions ▾
      </button>
      {open && (
        <div id={menuId} class="action-list">
          {SERVER_OPERATIONS.filter((op) => op.applies(server)).map((op) => (
            <button key={op.id} type="button" class={op.destructive ? 'danger' : ''} onClick={() => choose(op)}>
              {op.label}
            </button>
          ))}
        </div>
      )}
      {pending && (
        <Confirm
          question={`${pending.label} instance ${server.name}?`}
          confirmLabel={pending.label}
          onConfirm={() => void run(pending)}
          onCancel={() => setPending(undefined)}
        />
      )}
    </div>
  );
}
