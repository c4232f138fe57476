import type { Sealed } from '../vault/sealing';

/**
 * How a CA key is kept: sealed PKCS#8 in the vault, or generated non-extractable on a PKCS#11
 * token (then the vault keeps only where it is, its public key and the token PIN, sealed).
 */
export type CaKeyRef =
  | { readonly kind: 'software'; readonly sealed: Sealed }
  | {
      readonly kind: 'pkcs11';
      readonly module: string;
      readonly tokenLabel: string;
      /** CKA_ID, hex. */
      readonly keyId: string;
      /** DER SubjectPublicKeyInfo, base64. */
      readonly publicKeyInfo: string;
      readonly pin: Sealed;
    };

export interface CrlMark {
  readonly number: number;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  readonly entries: number;
}

/** The CA part of vault.json. Certificates are base64 DER. */
export interface CaState {
  readonly source: 'created' | 'imported';
  readonly createdAt: string;
  /** Null when an imported CA came without its root. */
  readonly root: { readonly certificate: string; readonly key: CaKeyRef | null } | null;
  readonly issuing: { readonly certificate: string; readonly key: CaKeyRef };
  /** The issuing CA's issuers, nearest first (the root last), when not the issuing CA itself. */
  readonly chain: readonly string[];
  readonly ocsp: { readonly certificate: string; readonly key: CaKeyRef };
  /** The desk's time-stamp authority (RFC 3161), certified on first use; absent in older vaults. */
  readonly tsa?: { readonly certificate: string; readonly key: CaKeyRef };
  /** Checked (never loopback), with a trailing slash; the CDP and AIA addresses are built from it. */
  readonly publicBaseUrl: string | null;
  readonly crl: {
    /** CRL numbers are shared by full and delta CRLs (RFC 5280 §5.2.3). */
    readonly nextNumber: number;
    readonly full: (CrlMark & { readonly heldSerials: readonly string[] }) | null;
    readonly delta: CrlMark | null;
    readonly rootNextNumber: number;
    readonly root: CrlMark | null;
  };
}
