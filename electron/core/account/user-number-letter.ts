/**
 * The user number re-sent by post to the holder's contact person (lost info, when the issuance
 * policy sends user numbers to the contact person): the contact person has a postal address on
 * record but no email, so the re-send is a user-number letter in the outbox, like the one at
 * issuance, addressed by `recipientOf`, and recorded as a letter.
 */
import type { Holder } from '../../shared/schemas/holders';
import type { AuditTrail } from '../audit/audit-trail';
import type { LetterOutbox } from '../letters/outbox';
import { userNumberLetter } from '../letters/pin-letters';
import { holderName, recipientOf } from '../letters/recipients';
import type { OperationContext } from '../operation-context';

export interface UserNumberLetterDeps {
  readonly outbox: Pick<LetterOutbox, 'write'>;
  readonly letterSender: () => string;
  readonly audit: AuditTrail;
  readonly clock?: () => Date;
}

export async function sendUserNumberLetter(deps: UserNumberLetterDeps, holder: Holder, op: OperationContext): Promise<string> {
  const date = (deps.clock ?? (() => new Date()))();
  const pdf = await userNumberLetter({
    language: holder.language,
    sender: { organisation: deps.letterSender(), addressLines: [] },
    recipient: recipientOf(holder, 'contactPerson', holder.language),
    holderName: holderName(holder),
    date,
    userNumber: holder.userNumber,
  });
  const stem = `${date.toISOString().slice(0, 10)}-${holder.id.slice(0, 8)}-${date.getTime().toString(36)}`;
  const file = await deps.outbox.write(`${stem}-user-number.pdf`, pdf, { kind: 'userNumber', recipient: 'contactPerson', holderId: holder.id, cardSerial: '' });
  await deps.audit.record({ action: 'card.pinLetter', outcome: 'success', holderId: holder.id, details: { letter: 'userNumber', recipient: 'contactPerson', file }, ...op });
  return file;
}
