/**
 * The desk's mobile ID channels (issue 16), mapped to the one MobileIdService the listener's EST
 * site also uses (so a code used by a phone and a cancel at the desk meet in one place). The QR
 * code is drawn here, for the dialog that shows it once; the code inside it is never stored. With
 * delivery `email` it went to the holder's address instead: the result has no QR code, only that address, masked.
 */
import type { MobileIdQr } from '../../shared/schemas/mobile-id';
import type { IssuedMobileId, MobileIdService } from '../mobile/mobile-id-service';
import { svgQrDataUrl } from '../mobile/qr-image';
import { operationOf } from './context';
import type { ContractHandlers } from './handlers';

type MobileChannel = 'mobile:list' | 'mobile:issue' | 'mobile:lock' | 'mobile:unlock' | 'mobile:revoke' | 'mobile:cancel' | 'mobile:migrate';

/**
 * The dialog's QR code: an SVG data URL of the enrollment URI (which holds the one-time code);
 * sent by email, the desk shows where it went, never the QR code.
 */
async function qrOf(issued: IssuedMobileId): Promise<MobileIdQr> {
  if (issued.sentTo !== undefined && issued.sentTo !== null) return { mobileId: issued.mobileId, qr: null, sentTo: issued.sentTo };
  return { mobileId: issued.mobileId, qr: await svgQrDataUrl(issued.enrollmentUri), sentTo: null };
}

export function mobileHandlers(mobile: MobileIdService, operatorId: string): Pick<ContractHandlers, MobileChannel> {
  return {
    'mobile:list': ({ holderId }) => mobile.list(holderId),
    'mobile:issue': async ({ holderId, options }, context) => qrOf(await mobile.issue(holderId, options, operationOf(context, operatorId))),
    'mobile:migrate': async ({ id, options }, context) => qrOf(await mobile.migrate(id, options, operationOf(context, operatorId))),
    'mobile:lock': ({ id, days }, context) => mobile.lock(id, days, operationOf(context, operatorId)),
    'mobile:unlock': ({ id }, context) => mobile.unlock(id, operationOf(context, operatorId)),
    'mobile:revoke': ({ id, reason }, context) => mobile.revoke(id, reason, operationOf(context, operatorId)),
    'mobile:cancel': async ({ id }, context) => {
      await mobile.cancel(id, operationOf(context, operatorId));
      return null;
    },
  };
}
