/**
 * How Neutron's metadata agent vouches for an instance id to Nova's metadata API: the header
 * `X-Instance-ID-Signature` is HMAC-SHA256 of the id under `[neutron] metadata_proxy_shared_secret`,
 * in hex. Both sides compute it here, so they cannot disagree on the encoding.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signInstanceId(secret: string, instanceId: string): string {
  return createHmac('sha256', secret).update(instanceId).digest('hex');
}

/** Constant-time comparison with the expected signature (Nova's constant_time_compare). */
export function isValidInstanceSignature(secret: string, instanceId: string, signature: string): boolean {
  const expected = Buffer.from(signInstanceId(secret, instanceId));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
