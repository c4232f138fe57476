/** The contract's enrollment-contract channels, mapped to the contract service. */
import type { ContractHandlers } from './handlers';
import { operationOf, type CallContext } from './context';
import type { ContractService } from '../contracts/contract-service';

type ContractChannel =
  | 'contracts:list'
  | 'contracts:awaiting'
  | 'contracts:get'
  | 'contracts:open'
  | 'contracts:download'
  | 'contracts:verify'
  | 'contracts:verifyFile'
  | 'contracts:templates'
  | 'contracts:setTemplate'
  | 'contracts:resetTemplate';

export function contractHandlers(contracts: ContractService, operatorId: string): Pick<ContractHandlers, ContractChannel> {
  const op = (context: CallContext) => operationOf(context, operatorId);
  return {
    'contracts:list': (filter) => contracts.list(filter),
    'contracts:awaiting': ({ serial }) => contracts.awaitingFor(serial),
    'contracts:get': ({ id }) => contracts.get(id),
    'contracts:open': ({ id }, context) => contracts.document(id, 'view', op(context)),
    'contracts:download': ({ id }, context) => contracts.document(id, 'download', op(context)),
    'contracts:verify': ({ id }) => contracts.verify(id),
    'contracts:verifyFile': ({ base64 }) => contracts.verifyBytes(Buffer.from(base64, 'base64')),
    'contracts:templates': () => contracts.templates(),
    'contracts:setTemplate': ({ language, text }, context) => contracts.setTemplate(language, text, op(context)),
    'contracts:resetTemplate': ({ language }, context) => contracts.resetTemplate(language, op(context)),
  };
}
