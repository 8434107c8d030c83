export type KeyPairType = 'ssh' | 'x509';

/** A key pair as Nova keeps it: owned by a user, unique by name per user. */
export interface KeyPair {
  readonly id: number;
  readonly user_id: string;
  readonly name: string;
  /** `ssh`, or `x509` (chosen from microversion 2.2). */
  readonly type: KeyPairType;
  readonly public_key: string;
  readonly fingerprint: string;
  readonly created_at: string;
  readonly updated_at: string | null;
}

/** A key pair just created; `private_key` only when Nova generated it (returned once, never stored). */
export interface CreatedKeyPair extends KeyPair {
  readonly private_key?: string;
}
