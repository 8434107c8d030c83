import { BadRequest } from '../../common/errors/errors.js';
import type { ImageRef } from '../../image/index.js';
import { AUTO_DISK_CONFIG_KEY } from '../db/server-store.js';
import { isTrueWord } from './oslo-bool.js';

/** OS-DCF:diskConfig as a request gives it. */
export type DiskConfig = 'AUTO' | 'MANUAL';

/**
 * Nova's _inherit_properties_from_image: the asked-for disk config, else the image's
 * `auto_disk_config` property; AUTO on an image whose property says `disabled` is a 400.
 */
export function autoDiskConfigFor(requested: DiskConfig | undefined, image: Pick<ImageRef, 'id' | 'properties'> | undefined): boolean {
  const fromImage = image?.properties['auto_disk_config']?.trim().toLowerCase();
  if (requested === 'AUTO' && fromImage === 'disabled') throw new BadRequest(`Requested image ${image?.id ?? ''} has automatic disk resizing disabled.`);
  if (requested !== undefined) return requested === 'AUTO';
  return fromImage !== undefined && isTrueWord(fromImage);
}

/** The system metadata that keeps it. */
export function diskConfigMetadata(auto: boolean): Record<string, string> {
  return { [AUTO_DISK_CONFIG_KEY]: auto ? 'True' : 'False' };
}

/** The API's word for it. */
export function diskConfigOf(auto: boolean): DiskConfig {
  return auto ? 'AUTO' : 'MANUAL';
}
