/**
 * Enrollment contracts from start to end: made for a card from its holder's template and
 * certificates, signed by the holder with the card (PAdES B-T, then validation data and a document
 * time-stamp: B-LTA), kept immutable in the vault, listed, opened, downloaded and verified. Every
 * generation, signature, view and download is recorded with the document's SHA-256.
 *
 * Data flow of a signature: ContractStore (unsigned bytes, hash checked) → prepareSignature →
 * the card signs the signed attributes (ContractSigner) → the signature is checked against the
 * certificate → time-stamp → DSS → document time-stamp → ContractStore.markSigned. Nothing is
 * stored until the whole signed document exists, so a refusal half-way leaves the contract unsigned.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CardDeskError } from '../../shared/errors';
import type { ContractKind, ContractSummary, ContractTemplate, PdfVerifyReport } from '../../shared/schemas/contracts';
import type { Holder } from '../../shared/schemas/holders';
import type { IssuancePolicy } from '../../shared/schemas/lifecycle';
import type { AuditTrail } from '../audit/audit-trail';
import { parseCertificate } from '../ca/certificate-reader';
import type { OperationContext } from '../operation-context';
import type { CardContracts, ContractSigner } from '../lifecycle/lifecycle-deps';
import type { VaultServices } from '../vault/vault-services';
import type { ContractData, ContractLanguage } from './document/contract-data';
import type { ContractFontSet } from './document/contract-fonts';
import { generateContract } from './document/generate-contract';
import type { TemplateLibrary } from './document/template-library';
import { addDocumentTimestamp, addValidationData, prepareSignature } from './pades/pades-signer';
import { verifyPdf } from './pades/pdf-verifier';
import type { ContractFilter, ContractStore } from './contract-store';

/** The vault services contracts need. */
export type ContractVault = Pick<VaultServices, 'keyring' | 'ca' | 'directory' | 'certificates' | 'crl'>;

export interface ContractServiceDeps {
  readonly vault: ContractVault;
  readonly store: ContractStore;
  readonly templates: TemplateLibrary;
  readonly fonts: () => Promise<ContractFontSet>;
  readonly audit: AuditTrail;
  readonly policy: () => IssuancePolicy;
  readonly clock: () => Date;
}

const SIGNATURE_FIELD = 'HolderSignature';

export class ContractService implements CardContracts {
  constructor(private readonly deps: ContractServiceDeps) {}

  // ---- made and signed by the card workflows --------------------------------------------------

  async generate(request: { serial: string; holderId: string; kind: ContractKind; certificateSerials: readonly string[] }, op: OperationContext): Promise<{ id: string }> {
    const { deps } = this;
    const holder = deps.vault.directory.get(request.holderId);
    const language: ContractLanguage = holder.language;
    const id = deps.store.newId();
    const generatedAt = deps.clock().toISOString();
    const data = contractData(id, request.kind, generatedAt, holder, request.serial, deps.policy().letterSender, request.certificateSerials.map((serial) => deps.vault.certificates.record(serial)));
    const template = await deps.templates.get(language);
    const made = await generateContract(data, template.text, language, await deps.fonts());
    const added = await deps.store.add({ id, holderId: holder.id, holderName: `${holder.firstName} ${holder.lastName}`, cardSerial: request.serial, certificateSerials: [...request.certificateSerials], language, kind: request.kind, generatedAt, pages: made.pages, bytes: made.bytes });
    if (!added.ok) throw new CardDeskError('INTERNAL', `The contract could not be stored (${added.reason}).`);
    await deps.audit.record({ action: 'contract.generate', outcome: 'success', holderId: holder.id, cardSerial: request.serial, details: { contract: id, sha256: made.sha256, language, kind: request.kind, template: template.source }, ...op });
    return { id };
  }

  awaitingSignature(serial: string): { id: string } | null {
    // The list is newest first.
    const newest = this.deps.store.list({ cardSerial: serial }).find((contract) => contract.signedAt === null);
    return newest === undefined ? null : { id: newest.id };
  }

  async sign(id: string, signer: ContractSigner, op: OperationContext): Promise<void> {
    const { deps } = this;
    const record = this.#record(id);
    if (record.signedAt !== null) throw new CardDeskError('INVALID_STATE', `Contract ${id} is signed already.`);
    const unsigned = await this.#bytes(id);
    const ca = deps.vault.ca;
    const tsa = await ca.timestampAuthority(op);
    const timestamper = (imprint: Buffer): Promise<Buffer> => tsa.timestamp({ imprint, certReq: true });
    const chain = ca.chain();
    const certificate = Buffer.from(signer.certificate);
    const prepared = await prepareSignature(Buffer.from(unsigned), { fieldName: SIGNATURE_FIELD, signerCertificate: certificate, chain, signingTime: deps.clock(), reason: 'Enrollment contract' });
    const value = Buffer.from(await signer.sign(prepared.toBeSigned));
    // The card's answer must be a signature by the certificate's key over what was asked, or nothing is kept.
    const publicKey = createPublicKey({ key: parseCertificate(certificate).publicKeyInfo, format: 'der', type: 'spki' });
    if (!verify('sha256', prepared.toBeSigned, publicKey, value)) throw new CardDeskError('CARD_ERROR', "The card's signature does not verify with its signature certificate.");
    const signed = await prepared.complete(value, timestamper);
    // B-LT: the chain, the TSA's certificate and fresh CRLs, so the signature verifies offline for years.
    const published = await deps.vault.crl.publish(op);
    const crls = await Promise.all(published.files.filter((file) => file.endsWith('.crl')).map((file) => readFile(file)));
    const withValidation = await addValidationData(signed, { certificates: [certificate, ...chain, tsa.certificate], crls, ocspResponses: [] });
    const archived = await addDocumentTimestamp(withValidation, timestamper, { fieldName: 'ArchiveTimestamp' });
    const kept = await deps.store.markSigned(id, archived, deps.clock());
    if (!kept.ok) throw new CardDeskError(kept.reason === 'alreadySigned' ? 'INVALID_STATE' : 'INTERNAL', `The signed contract could not be kept (${kept.reason}).`);
    await deps.audit.record({ action: 'contract.sign', outcome: 'success', holderId: record.holderId, cardSerial: record.cardSerial, details: { contract: id, sha256: kept.sha256, level: 'B-LTA' }, ...op });
  }

  // ---- the Contracts screen and the CLI --------------------------------------------------------

  list(filter: ContractFilter & { offset: number; limit: number }): { items: ContractSummary[]; total: number } {
    const { offset, limit, ...wanted } = filter;
    const all = this.deps.store.list(wanted);
    return { items: all.slice(offset, offset + limit), total: all.length };
  }

  /** One contract, its stored bytes checked against their SHA-256 first (a mismatch shows it damaged). */
  async get(id: string): Promise<ContractSummary> {
    const record = this.#record(id);
    await this.deps.store.read(id);
    return this.deps.store.summary(record);
  }

  async awaitingFor(serial: string): Promise<ContractSummary | null> {
    const waiting = this.awaitingSignature(serial);
    return waiting === null ? null : this.get(waiting.id);
  }

  /** The document for the viewer (`view`) or a download; a damaged one is refused and the refusal recorded. */
  async document(id: string, purpose: 'view' | 'download', op: OperationContext): Promise<{ fileName: string; mediaType: string; base64: string }> {
    const record = this.#record(id);
    const action = purpose === 'view' ? 'contract.view' : 'contract.download';
    const read = await this.deps.store.read(id);
    if (!read.ok) {
      if (read.reason === 'notFound') throw new CardDeskError('NOT_FOUND', `There is no contract ${id}.`);
      await this.deps.audit.record({ action, outcome: 'failure', reason: 'damaged', holderId: record.holderId, cardSerial: record.cardSerial, details: { contract: id }, ...op });
      throw new CardDeskError('CONTRACT_DAMAGED', `Contract ${id} is damaged: its stored file does not match the SHA-256 recorded for it.`);
    }
    await this.deps.audit.record({ action, outcome: 'success', holderId: record.holderId, cardSerial: record.cardSerial, details: { contract: id, sha256: read.sha256 }, ...op });
    const state = record.signedAt === null ? 'unsigned' : 'signed';
    return { fileName: `contract-${record.cardSerial}-${record.generatedAt.slice(0, 10)}-${state}.pdf`, mediaType: 'application/pdf', base64: Buffer.from(read.bytes).toString('base64') };
  }

  /** What the signature panel shows for a stored contract; what it finds is the contract's listed status from then on. */
  async verify(id: string): Promise<PdfVerifyReport> {
    const record = this.#record(id);
    const report = await this.verifyBytes(await this.#bytes(id));
    if (record.signedAt !== null) this.deps.store.noteSignature(id, holderSignatureHolds(report));
    return report;
  }

  /**
   * Every stored contract checked: each version's bytes against its SHA-256 (a mismatch lists it
   * damaged), and each signed contract's holder signature verified (one that does not hold lists it
   * as signatureInvalid). Run in the background when the desk starts, so the list tells the truth
   * before anyone opens a contract.
   */
  async checkAll(): Promise<{ checked: number; damaged: string[]; signatureInvalid: string[] }> {
    const { checked, damaged } = await this.deps.store.checkAll();
    const signatureInvalid: string[] = [];
    for (const contract of this.deps.store.list()) {
      if (contract.signedAt === null || damaged.includes(contract.id)) continue;
      const report = await this.verify(contract.id);
      if (!holderSignatureHolds(report)) signatureInvalid.push(contract.id);
    }
    return { checked, damaged: [...damaged], signatureInvalid };
  }

  /** What the signature panel shows for any PDF, checked against the desk's CA. */
  async verifyBytes(bytes: Uint8Array): Promise<PdfVerifyReport> {
    const { ca, certificates } = this.deps.vault;
    const trustAnchors = ca.ready ? [ca.chain().at(-1)!] : [];
    return verifyPdf(Buffer.from(bytes), {
      trustAnchors,
      statusNow: (der) => Promise.resolve(certificates.revocationStatus(der)),
    });
  }

  // ---- templates --------------------------------------------------------------------------------

  async templates(): Promise<ContractTemplate[]> {
    const languages: ContractLanguage[] = ['en', 'sq', 'it', 'nl'];
    return Promise.all(languages.map(async (language) => {
      const template = await this.deps.templates.get(language);
      return { language, source: template.source, text: template.text };
    }));
  }

  async setTemplate(language: ContractLanguage, text: string, op: OperationContext): Promise<{ ok: true; template: ContractTemplate } | { ok: false; problems: { line: number; message: string }[] }> {
    const result = await this.deps.templates.replace(language, text);
    if (!result.ok) {
      await this.deps.audit.record({ action: 'contract.templateChange', outcome: 'failure', reason: 'templateRefused', details: { language, problems: result.problems.length }, ...op });
      return { ok: false, problems: result.problems.map((problem) => ({ line: problem.line, message: problem.message })) };
    }
    await this.deps.audit.record({ action: 'contract.templateChange', outcome: 'success', details: { language, sha256: result.sha256, source: 'custom' }, ...op });
    return { ok: true, template: { language, source: 'custom', text } };
  }

  async resetTemplate(language: ContractLanguage, op: OperationContext): Promise<ContractTemplate> {
    await this.deps.templates.reset(language);
    const template = await this.deps.templates.get(language);
    await this.deps.audit.record({ action: 'contract.templateChange', outcome: 'success', details: { language, sha256: template.sha256, source: 'builtIn' }, ...op });
    return { language, source: template.source, text: template.text };
  }

  #record(id: string) {
    const record = this.deps.store.get(id);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no contract ${id}.`);
    return record;
  }

  async #bytes(id: string): Promise<Uint8Array> {
    const read = await this.deps.store.read(id);
    if (!read.ok && read.reason === 'notFound') throw new CardDeskError('NOT_FOUND', `There is no contract ${id}.`);
    if (!read.ok) throw new CardDeskError('CONTRACT_DAMAGED', `Contract ${id} is damaged: its stored file does not match the SHA-256 recorded for it.`);
    return read.bytes;
  }
}

/** The holder's signature (the first that is not a document time-stamp) is there and not found invalid. */
function holderSignatureHolds(report: PdfVerifyReport): boolean {
  const holder = report.signatures.find((signature) => !signature.documentTimestamp);
  return report.readable && holder !== undefined && holder.verdict !== 'invalid';
}

function contractData(
  id: string,
  kind: ContractKind,
  generatedAt: string,
  holder: Holder,
  cardSerial: string,
  issuer: string,
  certificates: readonly { serial: string; profile: string; notBefore: string; notAfter: string }[],
): ContractData {
  return {
    contractId: id,
    kind,
    generatedAt,
    holder: { givenName: holder.firstName, surname: holder.lastName, personalNumber: holder.personalNumber, userNumber: holder.userNumber, organisation: holder.organisation },
    card: { serial: cardSerial },
    issuer: { organisation: issuer },
    certificates: certificates.map((certificate) => ({
      serialNumber: certificate.serial.toUpperCase(),
      profile: certificate.profile as ContractData['certificates'][number]['profile'],
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    })),
  };
}
