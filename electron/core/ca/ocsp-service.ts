/**
 * Starts and stops the OCSP responder for the app and the CLI. The responder holds only the
 * delegated OCSP key (unsealed once at start, so it keeps answering after the vault locks);
 * the CA keys are never loaded for it. Each signed answer is an audit event.
 */
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { VaultAccess } from '../vault/vault-access';
import type { CaService, OcspState } from './ca-service';
import { CERTIFICATES, type CertificateRecord } from './certificate-records';
import { OcspResponder } from './ocsp-responder';
import { startOcspServer, type RunningOcspServer } from './ocsp-server';

export class OcspService {
  #server: RunningOcspServer | null = null;

  constructor(
    private readonly access: VaultAccess,
    private readonly ca: CaService,
    private readonly audit: AuditTrail,
    private readonly log: Logger,
  ) {}

  state(): OcspState {
    return { running: this.#server !== null, port: this.#server?.port ?? null };
  }

  async start(port: number, op: OperationContext): Promise<OcspState> {
    if (this.#server !== null) await this.stop(op);
    const responder = new OcspResponder({
      issuer: this.ca.certificate('issuing'),
      responderCertificate: this.ca.certificate('ocsp'),
      signer: this.ca.signer('ocsp'),
      lookup: (serial) => this.access.storage().records.get<CertificateRecord>(CERTIFICATES, serial),
    });
    const responderActor: OperationContext = { actor: { kind: 'system', id: 'ocsp-responder' }, channel: op.channel };
    this.#server = await startOcspServer(responder, port, this.log, (answer) => {
      for (const single of answer.serials) {
        void this.audit.record({ action: 'ca.ocspSign', outcome: 'success', certificateSerial: single.serial, details: { status: single.certStatus }, ...responderActor });
      }
    });
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
