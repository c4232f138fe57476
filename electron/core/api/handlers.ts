import type { ChannelName, ChannelResult, ParsedArgs } from '../../shared/contract';
import type { CallContext } from './context';

/** One function per channel; the composition root wires them to services. */
export type ContractHandlers = {
  readonly [C in ChannelName]: (
    args: ParsedArgs<C>,
    context: CallContext,
  ) => Promise<ChannelResult<C>> | ChannelResult<C>;
};
