import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import { VmState } from '../state/vm-states.js';
import type { Server } from './server.js';
import type { ServerStore } from '../db/server-store.js';

/** Nova's objects/instance.py MAX_TAG_COUNT and objects/tag.py MAX_TAG_LENGTH. */
export const MAX_TAG_COUNT = 50;
const MAX_TAG_LENGTH = 60;

/** States in which Nova lets tags change (server_tags._check_instance_in_valid_state). */
const TAGGABLE_STATES: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED];

/** parameter_types.tag: 1–60 characters, no `/` nor `,`. */
function isValidTag(tag: string): boolean {
  return tag.length >= 1 && tag.length <= MAX_TAG_LENGTH && !/[,/]/.test(tag);
}

/** Writes the tags of one server (os-server-tags, 2.26); reads come with the server. */
export class ServerTags {
  constructor(
    private readonly store: ServerStore,
    private readonly now: () => Date,
  ) {}

  /** True when the tag was new (201), false when the server had it already (204). */
  async add(server: Server, tag: string): Promise<boolean> {
    checkTaggable(server, 'update tag');
    if (!isValidTag(tag)) {
      throw new BadRequest(`Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','.`);
    }
    if (server.tags.includes(tag)) return false;
    if (server.tags.length >= MAX_TAG_COUNT) throw new BadRequest(`The number of tags exceeded the per-server limit ${MAX_TAG_COUNT}`);
    await this.store.addTag(server.row.uuid, tag);
    await this.store.touch(server.row.uuid, this.now());
    return true;
  }

  /** Replaces every tag; returns the new set as Nova lists it. */
  async replace(server: Server, tags: readonly string[]): Promise<string[]> {
    checkTaggable(server, 'update tags');
    const unique = [...new Set(tags)].sort();
    await this.store.replaceTags(server.row.uuid, unique);
    await this.store.touch(server.row.uuid, this.now());
    return unique;
  }

  async remove(server: Server, tag: string): Promise<void> {
    checkTaggable(server, 'delete tag');
    if (!(await this.store.removeTag(server.row.uuid, tag))) throw new NotFound(`Instance ${server.row.uuid} has no tag '${tag}'`);
    await this.store.touch(server.row.uuid, this.now());
  }

  async removeAll(server: Server): Promise<void> {
    checkTaggable(server, 'delete tags');
    await this.store.replaceTags(server.row.uuid, []);
    await this.store.touch(server.row.uuid, this.now());
  }
}

function checkTaggable(server: Server, method: string): void {
  const { uuid, vm_state: state } = server.row;
  if (TAGGABLE_STATES.includes(state)) return;
  throw new Conflict(`Cannot '${method}' instance ${uuid} while it is in vm_state ${state}`);
}
