import { channelNames } from '../../electron/shared/contract';
import { CardDeskError } from '../../electron/shared/errors';
import type { ContractHandlers } from '../../electron/core/api/handlers';

/**
 * A handler for every channel of the contract, for tests of the transports: the channels a test
 * names do what it says, every other one fails as a service would, so adding channels to the
 * contract does not touch these tests.
 */
export function stubHandlers(overrides: Partial<ContractHandlers>): ContractHandlers {
  const handlers: Record<string, unknown> = {};
  for (const channel of channelNames) {
    handlers[channel] = () => {
      throw new CardDeskError('INTERNAL', `${channel} has no handler in this test.`);
    };
  }
  return { ...(handlers as unknown as ContractHandlers), ...overrides };
}
