import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = 'openssl';

/** crypto.generate_x509_fingerprint: SHA-1 of the certificate, lower-case hex pairs; undefined when it is no PEM certificate. */
export function x509Fingerprint(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Nova's _create_x509_openssl_config: a WinRM client certificate for `upn`. */
function opensslConfig(upn: string): string {
  return [
    'distinguished_name = req_distinguished_name',
    '[req_distinguished_name]',
    '[v3_req_client]',
    'extendedKeyUsage = clientAuth',
    `subjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${upn}`,
    '',
  ].join('\n');
}

/**
 * crypto.generate_winrm_x509_cert: a self-signed client certificate for `userId` (CN=user,
 * UPN user@localhost, ten years) made by openssl as Nova makes it; the private key comes back as a
 * base64 PKCS#12 bundle with an empty password.
 */
export async function generateX509KeyPair(userId: string): Promise<{ publicKey: string; privateKey: string; fingerprint: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-x509-'));
  try {
    const config = join(dir, 'temp.conf');
    const keyFile = join(dir, 'temp.key');
    const certFile = join(dir, 'temp.crt');
    await writeFile(config, opensslConfig(`${userId}@localhost`), { mode: 0o600 });
    await run(OPENSSL, ['req', '-x509', '-nodes', '-days', '3650', '-config', config, '-newkey', 'rsa:2048', '-outform', 'PEM', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${userId}`, '-extensions', 'v3_req_client']);
    const { stdout: certificate } = await run(OPENSSL, ['x509', '-in', certFile, '-outform', 'PEM']);
    const { stdout: bundle } = await run(OPENSSL, ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-passout', 'pass:'], { encoding: 'buffer' });
    const fingerprint = x509Fingerprint(certificate);
    if (fingerprint === undefined) throw new Error('openssl produced no readable certificate');
    return { publicKey: certificate, privateKey: bundle.toString('base64'), fingerprint };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
