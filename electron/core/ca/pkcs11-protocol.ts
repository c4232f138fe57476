/** The messages between the CA and its PKCS#11 worker (pkcs11-worker.ts): a typed request/response union. */
import type { CaAlgorithm } from '../../shared/schemas/ca';

export type Pkcs11Request =
  | { readonly op: 'open'; readonly module: string; readonly tokenLabel: string; readonly pin: Uint8Array }
  | { readonly op: 'generate'; readonly algorithm: CaAlgorithm; readonly label: string; readonly keyId: Uint8Array }
  | { readonly op: 'sign'; readonly keyId: Uint8Array; readonly mechanism: 'ecdsa' | 'sha256-rsa'; readonly data: Uint8Array }
  | { readonly op: 'describe'; readonly keyId: Uint8Array }
  | { readonly op: 'close' };

export interface Pkcs11Replies {
  open: null;
  /** The public key as a DER SubjectPublicKeyInfo. */
  generate: Uint8Array;
  /** RSA: the PKCS#1 v1.5 signature; ECDSA: r || s as the token returns it. */
  sign: Uint8Array;
  describe: { sensitive: boolean; extractable: boolean; neverExtractable: boolean; token: boolean };
  close: null;
}

export type Pkcs11Message = { readonly id: number; readonly request: Pkcs11Request };
export type Pkcs11Response = { readonly id: number } & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string });
