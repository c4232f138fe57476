/**
 * The certificate authority itself: creating a root and an issuing CA (and the delegated OCSP
 * responder certificate), importing one from PKCS#12, and lending out signers. CA keys are
 * sealed in the vault and unsealed only for the operation that signs; the PKCS#8 bytes are
 * zeroed as soon as Node holds the key.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CardDeskError } from '../../shared/errors';
import type { CaAlgorithm, CaCertificateInfo, CaInitOptions, CaStatus } from '../../shared/schemas/ca';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { VaultKeyring } from '../vault/keyring';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import { describeKeyText, SoftwareSigner, type CaSigner } from './ca-signer';
import type { CaKeyRef, CaState, CrlMark } from './ca-state';
import { CERTIFICATES, newRecord } from './certificate-records';
import { parseCertificate, type ParsedCertificate } from './certificate-reader';
import { decodeName, encodeDn, encodeName } from './distinguished-name';
import { issueCaCertificate, issueLeaf, type Issuer } from './issuance';
import { checkImportedCa } from './import-checks';
import { readPkcs12 } from './pkcs12-import';
import { CaToken, Pkcs11Signer, type CaPkcs11Options, type TokenKeyState, type TokenLocation } from './ca-token';
import { checkModulePath, osLibraryFolders } from '../pkcs11/module-path-check';
import { checkPublicBaseUrl, proposedBaseUrl, publicUrls, type PublicUrls } from './public-urls';
import { profiles } from './profiles';
import { TimestampAuthority } from './timestamp-authority';

const generate = promisify(generateKeyPair);

export type CaRole = 'root' | 'issuing' | 'ocsp' | 'tsa';

async function newKey(algorithm: CaAlgorithm | 'p256'): Promise<KeyObject> {
  const pair =
    algorithm === 'p384' || algorithm === 'p256'
      ? await generate('ec', { namedCurve: algorithm === 'p384' ? 'secp384r1' : 'prime256v1' })
      : await generate('rsa', { modulusLength: algorithm === 'rsa3072' ? 3072 : 4096 });
  return pair.privateKey;
}

export interface OcspState {
  readonly running: boolean;
  readonly port: number | null;
}

export class CaService {
  /** Open tokens, by module and label; each is a PKCS#11 worker holding a logged-in session. */
  readonly #tokens = new Map<string, Promise<CaToken>>();

  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
    /** How the CA's token keys are reached: the desk's PKCS#11 workers. */
    private readonly pkcs11: CaPkcs11Options,
    /** Where a PKCS#11 library may be loaded from (checked before any load, like tokens:addModule). */
    private readonly libraryFolders: () => string[] = osLibraryFolders,
  ) {}

  #checkedModule(module: string): Promise<string> {
    return checkModulePath(module, { allowedFolders: this.libraryFolders() });
  }

  get publishDir(): string {
    return join(this.access.dataDir, 'crl');
  }

  state(): CaState {
    const ca = this.access.storage().meta.ca;
    if (ca === null) throw new CardDeskError('CA_NOT_INITIALISED', 'There is no certificate authority yet. Create one (carddesk ca init, or the first-run wizard) or import one.');
    return ca;
  }

  /** True when the CA exists and its keys can be used now (the vault is unlocked). */
  get canSign(): boolean {
    return this.ready && this.keyring.unlocked;
  }

  get ready(): boolean {
    return this.access.storage().meta.ca !== null;
  }

  certificate(role: CaRole): ParsedCertificate {
    const ca = this.state();
    const stored = role === 'root' ? ca.root?.certificate : role === 'issuing' ? ca.issuing.certificate : role === 'tsa' ? ca.tsa?.certificate : ca.ocsp.certificate;
    if (stored === undefined) throw new CardDeskError('NOT_FOUND', 'This CA was imported without its root certificate.');
    return parseCertificate(Buffer.from(stored, 'base64'));
  }

  /** The issuing CA first, then its issuers up to the root. */
  chain(): Buffer[] {
    const ca = this.state();
    return [ca.issuing.certificate, ...ca.chain].map((b64) => Buffer.from(b64, 'base64'));
  }

  #seal(key: KeyObject, role: CaRole): CaKeyRef {
    const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
    try {
      return { kind: 'software', sealed: this.keyring.seal(pkcs8, `ca-key:${role}`) };
    } finally {
      pkcs8.fill(0);
    }
  }

  /** The token a key lives on, opened (once) with the PIN sealed in the vault. */
  #token(ref: Extract<CaKeyRef, { kind: 'pkcs11' }>): Promise<CaToken> {
    // The vault's lock governs the CA keys on a token too.
    if (!this.keyring.unlocked) return Promise.reject(new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.'));
    const key = `${ref.module}\u0000${ref.tokenLabel}`;
    let token = this.#tokens.get(key);
    if (token === undefined) {
      // The stored module path is checked again before it loads (vault.json may have been edited).
      token = this.#checkedModule(ref.module).then((module) => CaToken.open({ module, tokenLabel: ref.tokenLabel }, this.#tokenPin(ref.pin, ref.tokenLabel), this.pkcs11));
      token.catch(() => this.#tokens.delete(key));
      this.#tokens.set(key, token);
    }
    return token;
  }

  /** The token PIN, opened from the vault each time the token logs in (the login zeroes it). */
  #tokenPin(sealed: Extract<CaKeyRef, { kind: 'pkcs11' }>['pin'], tokenLabel: string): () => Buffer {
    return () => {
      if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
      return this.keyring.open(sealed, `pkcs11-pin:${tokenLabel}`);
    };
  }

  /** A signer for one of the CA's keys; needs the vault unlocked. */
  signer(role: CaRole): CaSigner {
    const ca = this.state();
    const ref = role === 'root' ? ca.root?.key : role === 'issuing' ? ca.issuing.key : role === 'tsa' ? ca.tsa?.key : ca.ocsp.key;
    if (ref === undefined || ref === null) throw new CardDeskError('NOT_FOUND', role === 'tsa' ? 'The time-stamp authority has not been certified yet.' : 'This CA has no root key in the vault (it was imported without it).');
    if (ref.kind === 'pkcs11') {
      if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
      return new Pkcs11Signer(() => this.#token(ref), Buffer.from(ref.keyId, 'hex'), Buffer.from(ref.publicKeyInfo, 'base64'));
    }
    const pkcs8 = this.keyring.open(ref.sealed, `ca-key:${role}`);
    try {
      return new SoftwareSigner(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
    } finally {
      pkcs8.fill(0); // key material: never log it, never keep it past this point
    }
  }

  issuer(): Issuer {
    const ca = this.state();
    return { signer: this.signer('issuing'), certificate: this.certificate('issuing'), urls: this.urls(ca) };
  }

  /** The published addresses (CDP, OCSP, caIssuers), or null when the CA has no base URL. */
  urls(ca: CaState = this.state()): PublicUrls | null {
    return ca.publicBaseUrl === null || ca.publicBaseUrl === undefined ? null : publicUrls(ca.publicBaseUrl);
  }

  /** Changes the published base URL; certificates issued from now on carry the new addresses. */
  async setPublicBaseUrl(url: string, op: OperationContext): Promise<void> {
    if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
    const before = this.state().publicBaseUrl;
    const checked = checkPublicBaseUrl(url);
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => (meta.ca === null ? meta : { ...meta, ca: { ...meta.ca, publicBaseUrl: checked } }), {
      action: 'settings.change',
      outcome: 'success',
      details: { setting: 'ca.publicBaseUrl', from: before ?? 'none', to: checked },
      ...op,
    });
  }

  /** The state of a token-held key, for checks (sensitive, never extractable). */
  async describeTokenKey(role: 'root' | 'issuing'): Promise<TokenKeyState> {
    const ca = this.state();
    const ref = role === 'root' ? ca.root?.key : ca.issuing.key;
    if (ref?.kind !== 'pkcs11') throw new CardDeskError('INVALID_STATE', 'This CA key is not on a PKCS#11 token.');
    return (await this.#token(ref)).describe(Buffer.from(ref.keyId, 'hex'));
  }

  async close(): Promise<void> {
    const tokens = [...this.#tokens.values()];
    this.#tokens.clear();
    await Promise.all(tokens.map((token) => token.then((t) => t.close()).catch(() => undefined)));
  }

  #requireEmpty(): void {
    if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
    if (this.access.storage().meta.ca !== null) throw new CardDeskError('CA_EXISTS', 'This vault already has a certificate authority.');
  }

  /** The root and issuing keys, generated in software (sealed in the vault) or on a token. */
  async #newCaKeys(algorithm: CaAlgorithm, token: (TokenLocation & { pin: Buffer }) | null): Promise<{ role: 'root' | 'issuing'; signer: CaSigner; ref: () => CaKeyRef }[]> {
    if (token === null) {
      const keys = await Promise.all([newKey(algorithm), newKey(algorithm)]);
      return (['root', 'issuing'] as const).map((role, i) => ({ role, signer: new SoftwareSigner(keys[i] as KeyObject), ref: () => this.#seal(keys[i] as KeyObject, role) }));
    }
    const location = { module: await this.#checkedModule(token.module), tokenLabel: token.tokenLabel };
    const pin = this.keyring.seal(token.pin, `pkcs11-pin:${token.tokenLabel}`);
    token.pin.fill(0); // the token PIN: sealed in the vault now, never kept in the clear
    const opened = CaToken.open(location, this.#tokenPin(pin, token.tokenLabel), this.pkcs11);
    const session = await opened;
    this.#tokens.set(`${location.module}\u0000${token.tokenLabel}`, opened);
    const out = [];
    for (const role of ['root', 'issuing'] as const) {
      const keyId = randomBytes(16);
      const spki = await session.generate(algorithm, `CardDesk ${role} CA`, keyId);
      const ref: CaKeyRef = { kind: 'pkcs11', ...location, keyId: keyId.toString('hex'), publicKeyInfo: spki.toString('base64'), pin };
      out.push({ role, signer: new Pkcs11Signer(() => opened, keyId, spki), ref: () => ref });
    }
    return out;
  }

  /** Creates the CA; with `token`, its keys are generated non-extractable on that PKCS#11 token. */
  async init(options: Omit<CaInitOptions, 'pkcs11'>, op: OperationContext, token: (TokenLocation & { pin: Buffer }) | null = null): Promise<void> {
    this.#requireEmpty();
    const publicBaseUrl = options.publicBaseUrl === null ? null : checkPublicBaseUrl(options.publicBaseUrl);
    const rootSubject = encodeDn(options.rootSubject);
    const issuingSubject = encodeDn(options.issuingSubject);
    const now = this.clock();
    const [rootKey, issuingKey] = await this.#newCaKeys(options.algorithm, token);
    if (rootKey === undefined || issuingKey === undefined) throw new CardDeskError('INTERNAL', 'The CA keys were not generated.');
    for (const role of ['root', 'issuing'] as const) {
      await this.audit.record({ action: 'ca.keyGenerate', outcome: 'success', details: { role, algorithm: options.algorithm, storage: token === null ? 'vault' : 'pkcs11' }, ...op });
    }
    const rootSigner = rootKey.signer;
    const rootDer = await issueCaCertificate({ subject: rootSubject, publicKeyInfo: rootSigner.publicKeyInfo, years: options.rootValidityYears, now, signer: rootSigner, issuer: null });
    const root = parseCertificate(rootDer);
    const issuingDer = await issueCaCertificate({ subject: issuingSubject, publicKeyInfo: issuingKey.signer.publicKeyInfo, years: options.issuingValidityYears, now, signer: rootSigner, issuer: root, pathLength: 0 });
    await this.#store({
      source: 'created',
      root: { certificate: rootDer, key: rootKey.ref() },
      issuingDer,
      issuingKey: issuingKey.ref(),
      issuingSigner: issuingKey.signer,
      chain: [rootDer],
      publicBaseUrl,
      op,
    });
    await this.audit.record({ action: 'ca.init', outcome: 'success', certificateSerial: parseCertificate(issuingDer).serial, details: { algorithm: options.algorithm, root: root.serial }, ...op });
  }

  /** Imports an issuing (or single-tier) CA with its key from PKCS#12. */
  async import(file: Buffer, password: string, options: { publicBaseUrl: string | null }, op: OperationContext): Promise<void> {
    this.#requireEmpty();
    const publicBaseUrl = options.publicBaseUrl === null ? null : checkPublicBaseUrl(options.publicBaseUrl);
    const contents = readPkcs12(file, password);
    // Validity, key strength, chain and key match: each refused with its reason.
    const { certificate, chain } = checkImportedCa(contents.key, contents.certificates, this.clock());
    const imported = { key: contents.key, certificate };
    const selfSigned = imported.certificate.issuer === imported.certificate.subject;
    const top = chain[chain.length - 1];
    const rootDer = selfSigned ? imported.certificate.der : top !== undefined && top.issuer === top.subject ? top.der : null;
    await this.#store({
      source: 'imported',
      root: rootDer === null ? null : { certificate: rootDer, key: selfSigned ? this.#seal(imported.key, 'root') : null },
      issuingDer: imported.certificate.der,
      issuingKey: this.#seal(imported.key, 'issuing'),
      issuingSigner: new SoftwareSigner(imported.key),
      chain: chain.map((c) => c.der),
      publicBaseUrl,
      op,
    });
    await this.audit.record({ action: 'ca.import', outcome: 'success', certificateSerial: imported.certificate.serial, details: { subject: imported.certificate.subject }, ...op });
  }

  async #store(parts: {
    source: CaState['source'];
    root: { certificate: Buffer; key: CaKeyRef | null } | null;
    issuingDer: Buffer;
    issuingKey: CaKeyRef;
    issuingSigner: CaSigner;
    chain: Buffer[];
    publicBaseUrl: string | null;
    op: OperationContext;
  }): Promise<void> {
    const now = this.clock();
    const issuing = parseCertificate(parts.issuingDer);
    // The delegated OCSP responder (RFC 6960 §4.2.2.2): its own key, certified by the issuing CA.
    const ocspKey = await newKey('p256');
    await this.audit.record({ action: 'ca.keyGenerate', outcome: 'success', details: { role: 'ocsp', algorithm: 'p256' }, ...parts.op });
    const ocspSpki = createPublicKey(ocspKey).export({ type: 'spki', format: 'der' });
    // The responder is named like its CA, with its own common name.
    const ocspSubject = encodeName([{ type: 'CN', value: 'OCSP responder' }, ...decodeName(issuing.subjectDer).filter((a) => a.type !== 'CN')]);
    const ocspDer = await issueLeaf(
      { profile: 'ocspSigning', subject: ocspSubject, publicKeyInfo: ocspSpki, subjectAltNames: [], validityDays: 365, now },
      { signer: parts.issuingSigner, certificate: issuing, urls: parts.publicBaseUrl === null ? null : publicUrls(parts.publicBaseUrl) },
    );
    const ocsp = parseCertificate(ocspDer);
    const b64 = (der: Buffer): string => der.toString('base64');
    const state: CaState = {
      source: parts.source,
      createdAt: now.toISOString(),
      root: parts.root === null ? null : { certificate: b64(parts.root.certificate), key: parts.root.key },
      issuing: { certificate: b64(parts.issuingDer), key: parts.issuingKey },
      chain: parts.chain.map(b64),
      ocsp: { certificate: b64(ocspDer), key: this.#seal(ocspKey, 'ocsp') },
      publicBaseUrl: parts.publicBaseUrl,
      crl: { nextNumber: 1, full: null, delta: null, rootNextNumber: 1, root: null },
    };
    const storage = this.access.storage();
    await storage.records.commit([{ collection: CERTIFICATES, id: ocsp.serial, record: newRecord(ocsp, { profile: 'ocspSigning', holderId: null, cardSerial: null, now }) }]);
    // The CA's state and the responder certificate's event in one write (change-events.ts).
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => ({ ...meta, ca: state }), {
      action: 'ca.certificateIssue',
      outcome: 'success',
      certificateSerial: ocsp.serial,
      details: { profile: 'ocspSigning' },
      ...parts.op,
    });
  }

  /**
   * The desk's time-stamp authority (RFC 3161). Its key is generated and sealed in the vault like the
   * OCSP responder's, and the issuing CA certifies it (profile timeStamping, EKU critical) the first
   * time it is needed, so vaults created before it existed get one too. Needs the vault unlocked.
   */
  async timestampAuthority(op: OperationContext): Promise<TimestampAuthority> {
    if (!this.keyring.unlocked) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
    if (this.state().tsa === undefined) await this.#certifyTsa(op);
    return new TimestampAuthority(this.signer('tsa'), this.certificate('tsa').der, this.clock);
  }

  async #certifyTsa(op: OperationContext): Promise<void> {
    const now = this.clock();
    const issuer = this.issuer();
    const key = await newKey('p256');
    await this.audit.record({ action: 'ca.keyGenerate', outcome: 'success', details: { role: 'tsa', algorithm: 'p256' }, ...op });
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    const subject = encodeName([{ type: 'CN', value: 'Time-stamp authority' }, ...decodeName(issuer.certificate.subjectDer).filter((a) => a.type !== 'CN')]);
    const der = await issueLeaf({ profile: 'timeStamping', subject, publicKeyInfo: spki, subjectAltNames: [], validityDays: profiles.timeStamping.validityDays, now }, issuer);
    const tsa = parseCertificate(der);
    const sealed = this.#seal(key, 'tsa');
    await this.access.storage().records.commit([{ collection: CERTIFICATES, id: tsa.serial, record: newRecord(tsa, { profile: 'timeStamping', holderId: null, cardSerial: null, now }) }]);
    await new ChangeRecorder(this.access, this.audit).commitMeta((meta) => (meta.ca === null ? meta : { ...meta, ca: { ...meta.ca, tsa: { certificate: der.toString('base64'), key: sealed } } }), {
      action: 'ca.certificateIssue',
      outcome: 'success',
      certificateSerial: tsa.serial,
      details: { profile: 'timeStamping' },
      ...op,
    });
  }

  async updateCrlMarks(change: (crl: CaState['crl']) => CaState['crl']): Promise<void> {
    await this.access.storage().updateMeta((meta) => (meta.ca === null ? meta : { ...meta, ca: { ...meta.ca, crl: change(meta.ca.crl) } }));
  }

  status(ocsp: OcspState): CaStatus {
    const ca = this.access.storage().meta.ca;
    if (ca === null) return { ready: false, proposedBaseUrl: proposedBaseUrl() };
    const info = (role: Exclude<CaRole, 'tsa'>): CaCertificateInfo => {
      const cert = this.certificate(role);
      return {
        role,
        subject: cert.subject,
        serial: cert.serial,
        notBefore: cert.notBefore.toISOString(),
        notAfter: cert.notAfter.toISOString(),
        keyAlgorithm: describeKeyText(createPublicKey({ key: cert.publicKeyInfo, format: 'der', type: 'spki' })),
      };
    };
    const mark = (m: CrlMark | null) => (m === null ? null : { number: m.number, thisUpdate: m.thisUpdate, nextUpdate: m.nextUpdate, entries: m.entries });
    return {
      ready: true,
      source: ca.source,
      keyStorage: ca.issuing.key.kind,
      certificates: [...(ca.root === null ? [] : [info('root')]), info('issuing'), info('ocsp')],
      lastCrl: mark(ca.crl.full),
      lastDeltaCrl: mark(ca.crl.delta),
      publishDir: this.publishDir,
      publicBaseUrl: ca.publicBaseUrl ?? null,
      ocspUrl: this.urls(ca)?.ocsp ?? null,
      crlUrl: this.urls(ca)?.crl ?? null,
      caIssuersUrl: this.urls(ca)?.caIssuers ?? null,
      ocsp,
    };
  }
}
