/** The contract's letter channels, mapped to the letter service. */
import type { ContractHandlers } from './handlers';
import { operationOf } from './context';
import type { LetterService } from '../letters/letter-service';

type LetterChannel = 'letters:list' | 'letters:deliver' | 'letters:markSent' | 'letters:preview' | 'letters:settings' | 'letters:updateSettings';

export function letterHandlers(letters: LetterService, operatorId: string): Pick<ContractHandlers, LetterChannel> {
  return {
    'letters:list': ({ holderId }) => letters.list(holderId),
    'letters:deliver': ({ fileName, route }, context) => letters.send(fileName, route, operationOf(context, operatorId)),
    'letters:markSent': ({ fileName }, context) => letters.markSent(fileName, operationOf(context, operatorId)),
    'letters:preview': ({ fileName }) => letters.preview(fileName),
    'letters:settings': () => letters.settings(),
    'letters:updateSettings': (change, context) => letters.updateSettings(change, operationOf(context, operatorId)),
  };
}
