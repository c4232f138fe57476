/**
 * The contract's channels for the holder account's contact data, lost info and identity document
 * (issue 15), mapped to their services. Desk channels name the holder; kiosk channels act for the
 * holder signed in on the calling window's session only (found from the call's source, never from
 * the page), except lost info, which comes before any sign-in and is limited per window.
 */
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import type { ContactService } from '../account/contact-service';
import type { DocumentService } from '../account/document-service';
import type { LostInfoService } from '../account/lost-info-service';
import type { KioskService } from '../kiosk/kiosk-service';
import { sessionEnded } from '../kiosk/kiosk-refusals';
import { sourceOf } from '../kiosk/kiosk-sessions';
import type { OperationContext } from '../operation-context';
import { operationOf, type CallContext } from './context';
import type { ContractHandlers } from './handlers';

export type AccountContactDeskChannel =
  | 'account:contact'
  | 'account:changeContact'
  | 'account:lostInfoBegin'
  | 'account:lostInfoComplete'
  | 'account:document'
  | 'account:submitDocument'
  | 'account:documentScan'
  | 'account:approveDocument'
  | 'account:rejectDocument';

export type AccountContactKioskChannel =
  | 'kiosk:contact'
  | 'kiosk:contactChangeBegin'
  | 'kiosk:contactChangeConfirm'
  | 'kiosk:contactVerifyBegin'
  | 'kiosk:contactVerifyConfirm'
  | 'kiosk:lostInfoBegin'
  | 'kiosk:lostInfoComplete'
  | 'kiosk:document'
  | 'kiosk:submitDocument';

export interface AccountContactServices {
  readonly contact: ContactService;
  readonly lostInfo: LostInfoService;
  readonly documents: DocumentService;
  readonly kiosk: KioskService;
  /** The kiosk settings allow files (a scan upload at the kiosk needs it). */
  readonly kioskFilesAllowed: () => boolean;
}

/** base64 as the contract carries it, decoded strictly (a malformed scan is refused, not guessed at). */
function bytesOf(base64: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new CardDeskError('MALFORMED_INPUT', 'The scan is not valid base64.');
  return Buffer.from(base64, 'base64');
}

export function accountContactHandlers(services: AccountContactServices, operatorId: string): Pick<ContractHandlers, AccountContactDeskChannel | AccountContactKioskChannel> {
  const { contact, lostInfo, documents, kiosk } = services;
  const desk = (context: CallContext): OperationContext => operationOf(context, operatorId);

  /** The holder signed in on the calling window's live session (touched), or SESSION_ENDED. */
  const holderOf = async (context: CallContext): Promise<{ holderId: string; op: OperationContext }> => {
    const source = sourceOf(context);
    await kiosk.touch(source);
    const holderId = kiosk.sessions.signedInHolder(source);
    if (holderId === null) throw sessionEnded();
    return { holderId, op: { actor: { kind: 'holder', id: holderId }, channel: 'kiosk' } };
  };
  /** A kiosk read refused for want of a session is recorded, as kiosk-handlers does for its reads. */
  const read = async <T>(context: CallContext, action: AuditAction, channel: string, work: (holderId: string) => T): Promise<T> => {
    try {
      const { holderId } = await holderOf(context);
      return work(holderId);
    } catch (error) {
      if (error instanceof CardDeskError && error.code === 'SESSION_ENDED') await kiosk.recordRefused(sourceOf(context), channel, action);
      throw error;
    }
  };
  const kioskOp: OperationContext = { actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk' };

  return {
    'account:contact': ({ id }) => contact.view(id),
    'account:changeContact': ({ id, field, value, reason }, context) => contact.operatorChange(id, field, value, reason, desk(context)),
    'account:lostInfoBegin': ({ personalNumber, email }, context) => lostInfo.begin(sourceOf(context), personalNumber, email, desk(context)),
    'account:lostInfoComplete': ({ flow, code, choice }, context) => lostInfo.complete(sourceOf(context), flow, code, choice, desk(context)),
    'account:document': ({ id }) => documents.view(id),
    'account:submitDocument': ({ id, documentNumber, documentExpiry, scan }, context) => documents.submit(id, { documentNumber, documentExpiry, scan: bytesOf(scan) }, desk(context)),
    'account:documentScan': ({ submission }, context) => documents.scan(submission, desk(context)),
    'account:approveDocument': ({ submission }, context) => documents.approve(submission, desk(context)),
    'account:rejectDocument': ({ submission, reason }, context) => documents.reject(submission, reason, desk(context)),

    'kiosk:contact': (_args, context) => read(context, 'account.contactChange', 'kiosk:contact', (holderId) => contact.view(holderId)),
    'kiosk:contactChangeBegin': async ({ field, value }, context) => {
      const { holderId, op } = await holderOf(context);
      return contact.beginChange(holderId, field, value, op);
    },
    'kiosk:contactChangeConfirm': async ({ field, oldCode, newCode, secondFactorCode }, context) => {
      const { holderId, op } = await holderOf(context);
      return contact.confirmChange(holderId, field, { oldCode, newCode, secondFactorCode }, op);
    },
    'kiosk:contactVerifyBegin': async ({ field }, context) => {
      const { holderId, op } = await holderOf(context);
      return contact.beginVerify(holderId, field, op);
    },
    'kiosk:contactVerifyConfirm': async ({ field, code }, context) => {
      const { holderId, op } = await holderOf(context);
      return contact.confirmVerify(holderId, field, code, op);
    },
    'kiosk:lostInfoBegin': ({ personalNumber, email }, context) => lostInfo.begin(sourceOf(context), personalNumber, email, kioskOp),
    'kiosk:lostInfoComplete': ({ flow, code, choice }, context) => lostInfo.complete(sourceOf(context), flow, code, choice, kioskOp),
    'kiosk:document': (_args, context) => read(context, 'account.documentView', 'kiosk:document', (holderId) => documents.view(holderId)),
    'kiosk:submitDocument': async ({ documentNumber, documentExpiry, scan }, context) => {
      const { holderId, op } = await holderOf(context);
      if (!services.kioskFilesAllowed()) return documents.refused(holderId, 'filesNotAllowed', op);
      return documents.submit(holderId, { documentNumber, documentExpiry, scan: bytesOf(scan) }, op);
    },
  };
}
