import { call, serverAction, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { FormDialog } from '../components/confirm.js';
import { field } from '../components/form-field.js';
import { Options } from '../components/options.js';

/** A service as the services page shows it: Nova's and Cinder's os-services rows, and Neutron's agents in their terms. */
export interface ServiceRow {
  readonly binary: string;
  readonly host: string;
  readonly zone: string;
  readonly status: string;
  readonly state: string;
  readonly updated_at: string | null;
  readonly disabled_reason?: string | null;
}

/** A service as Nova's os-services shows it at the dashboard's microversion (2.53+: a uuid id, forced_down). */
export interface ComputeServiceRow extends ServiceRow {
  readonly id: string;
  readonly forced_down?: boolean;
}

const COMPUTE_BINARY = 'nova-compute';

export const listComputeServices = async (session: Session) => (await call<{ services: ComputeServiceRow[] }>(session, 'compute', '/os-services')).services;

export const isComputeService = (service: ComputeServiceRow) => service.binary === COMPUTE_BINARY;

/** The hosts whose compute service is up and enabled: where the scheduler may place, and what a move may target. */
export function usableHosts(services: readonly ComputeServiceRow[]): string[] {
  return [...new Set(services.filter((s) => isComputeService(s) && s.status === 'enabled' && s.state === 'up').map((s) => s.host))].sort();
}

/** The hosts whose compute service is down: their servers can be evacuated. */
export function downHosts(services: readonly ComputeServiceRow[]): ReadonlySet<string> {
  return new Set(services.filter((s) => isComputeService(s) && s.state === 'down').map((s) => s.host));
}

/** Nova's evacuate (2.68+: a named host is checked by the scheduler; none lets it choose). */
export const evacuate = (session: Session, server: Pick<Server, 'id'>, host: string) => serverAction(session, server.id, { evacuate: host === '' ? {} : { host } });

/** A form's `host` field: one of `hosts`, or '' for the scheduler's choice. */
export function HostSelect({ hosts, label }: { readonly hosts: readonly string[]; readonly label?: string }) {
  return (
    <select name="host" aria-label={label}>
      <option value="">Any host (scheduler)</option>
      <Options choices={hosts.map((h) => ({ id: h, name: h }))} />
    </select>
  );
}

interface EvacuateDialogProps {
  /** What is evacuated, for the question ("server db1", "the servers of node2"). */
  readonly what: string;
  /** The hosts it may go to. */
  readonly hosts: readonly string[];
  readonly onConfirm: (host: string) => void;
  readonly onCancel: () => void;
}

/** The confirmation of an evacuation, with its target host (Horizon's Evacuate Host form). */
export function EvacuateDialog({ what, hosts, onConfirm, onCancel }: EvacuateDialogProps) {
  return (
    <FormDialog
      question={`Evacuate ${what}? It is rebuilt on another host from its image or shared storage; use this only when its host is really down.`}
      confirmLabel="Evacuate"
      onConfirm={(form) => onConfirm(field(form, 'host'))}
      onCancel={onCancel}
    >
      <label>
        Target host
        <HostSelect hosts={hosts} />
      </label>
    </FormDialog>
  );
}
