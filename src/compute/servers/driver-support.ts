/**
 * Which driver capability each server action needs on the instance's host: checked once, before
 * the state changes and the cast, so a host whose driver lacks it answers Nova's 501 and nothing
 * changes. Actions answered by the host itself (console output) are checked there; a console
 * URL is checked both here and by the host.
 */
import type { CapabilityFlag } from '../virt/capabilities.js';

export const CAPABILITY_OF_ACTION: Readonly<Partial<Record<string, CapabilityFlag>>> = {
  pause: 'supportsPause',
  unpause: 'supportsPause',
  suspend: 'supportsSuspend',
  resume: 'supportsSuspend',
  rescue: 'supportsRescue',
  unrescue: 'supportsRescue',
  createImage: 'supportsSnapshot',
  shelve: 'supportsSnapshot',
  resize: 'supportsColdMigration',
  migrate: 'supportsColdMigration',
  'os-migrateLive': 'supportsLiveMigration',
  force_complete: 'supportsLiveMigrationForceComplete',
  'abort live migration': 'supportsLiveMigrationAbort',
  get_vnc_console: 'supportsVncConsole',
  attach_interface: 'supportsAttachInterface',
  detach_interface: 'supportsAttachInterface',
};
