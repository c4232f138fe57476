/**
 * The OCSP responder for the app and the CLI: on its own loopback port (`start`), and for the
 * network listener (`answer`). The responder holds only the delegated OCSP key (unsealed once,
 * so it keeps answering after the vault locks); the CA keys are never loaded for it. It reads
 * each certificate's status from the records at every request, so a revocation or suspension
 * shows at once. Each signed answer is an audit event.
 */
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { VaultAccess } from '../vault/vault-access';
import type { CaService, OcspState } from './ca-service';
import { CERTIFICATES, type CertificateRecord } from './certificate-records';
import { enumerated, seq } from './der';
import { OcspResponder, responseStatus, type OcspAnswer } from './ocsp-responder';
import { startOcspServer, type RunningOcspServer } from './ocsp-server';

/** What the listener answers before the vault was first unlocked (the OCSP key is sealed). */
const TRY_LATER: OcspAnswer = { der: seq(enumerated(responseStatus.tryLater)), status: 'tryLater', serials: [] };

export class OcspService {
  #server: RunningOcspServer | null = null;
  /** The listener's responder, with the issuing CA it was built for. */
  #published: { issuing: string; responder: OcspResponder } | null = null;

  constructor(
    private readonly access: VaultAccess,
    private readonly ca: CaService,
    private readonly audit: AuditTrail,
    private readonly log: Logger,
  ) {}

  state(): OcspState {
    return { running: this.#server !== null, port: this.#server?.port ?? null };
  }

  #responder(): OcspResponder {
    return new OcspResponder({
      issuer: this.ca.certificate('issuing'),
      responderCertificate: this.ca.certificate('ocsp'),
      signer: this.ca.signer('ocsp'),
      lookup: (serial) => this.access.storage().records.get<CertificateRecord>(CERTIFICATES, serial),
    });
  }

  #recordAnswers(answer: OcspAnswer, channel: OperationContext['channel']): void {
    const responderActor: OperationContext = { actor: { kind: 'system', id: 'ocsp-responder' }, channel };
    for (const single of answer.serials) {
      void this.audit.record({ action: 'ca.ocspSign', outcome: 'success', certificateSerial: single.serial, details: { status: single.certStatus }, ...responderActor });
    }
  }

  /**
   * An answer for the network listener. The responder is built the first time the vault is
   * unlocked while a request comes in (its key is sealed until then: tryLater meanwhile).
   */
  async answer(request: Buffer): Promise<OcspAnswer> {
    if (!this.ca.ready) return TRY_LATER;
    const issuing = this.ca.state().issuing.certificate;
    if (this.#published?.issuing !== issuing) this.#published = this.ca.canSign ? { issuing, responder: this.#responder() } : null;
    if (this.#published === null) return TRY_LATER;
    const answer = await this.#published.responder.respond(request);
    this.#recordAnswers(answer, 'desk');
    return answer;
  }

  /** Builds the listener's responder now if the vault is unlocked (called when it unlocks). */
  prepare(): void {
    if (this.ca.ready && this.ca.canSign && this.#published === null) this.#published = { issuing: this.ca.state().issuing.certificate, responder: this.#responder() };
  }

  async start(port: number, op: OperationContext): Promise<OcspState> {
    if (this.#server !== null) await this.stop(op);
    const responder = this.#responder();
    this.#server = await startOcspServer(
      async (der) => {
        const answer = await responder.respond(der);
        this.#recordAnswers(answer, op.channel);
        return answer;
      },
      port,
      this.log,
    );
    await this.audit.record({ action: 'ca.ocspStart', outcome: 'success', details: { port: this.#server.port }, ...op });
    return this.state();
  }

  async stop(op: OperationContext): Promise<OcspState> {
    const server = this.#server;
    this.#server = null;
    if (server !== null) await server.close();
    await this.audit.record({ action: 'ca.ocspStop', outcome: 'success', details: server === null ? { running: false } : { port: server.port }, ...op });
    return this.state();
  }
}
