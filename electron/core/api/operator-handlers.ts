/**
 * The operator accounts' channels (issue 17 §1), mapped to the vault's one OperatorDirectory (the
 * same one the card sign-in looks operators up in). The permission (operators.manage) is checked
 * before these run (permission-check.ts); refusals come back as values.
 */
import type { OperatorDirectory } from '../operators/operator-directory';
import { operationOf } from './context';
import type { ContractHandlers } from './handlers';

type OperatorChannel = 'operators:list' | 'operators:add' | 'operators:setRoles' | 'operators:suspend' | 'operators:resume' | 'operators:remove';

export function operatorHandlers(operators: OperatorDirectory, operatorId: string): Pick<ContractHandlers, OperatorChannel> {
  return {
    'operators:list': () => operators.list(),
    'operators:add': ({ holderId, roles }, context) => operators.add(holderId, roles, operationOf(context, operatorId)),
    'operators:setRoles': ({ id, roles }, context) => operators.setRoles(id, roles, operationOf(context, operatorId)),
    'operators:suspend': ({ id }, context) => operators.suspend(id, operationOf(context, operatorId)),
    'operators:resume': ({ id }, context) => operators.resume(id, operationOf(context, operatorId)),
    'operators:remove': ({ id }, context) => operators.remove(id, operationOf(context, operatorId)),
  };
}
