import { channels, isChannelName } from '../../shared/contract';
import { CardDeskError, failure, success, type Envelope } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { CallContext } from './context';
import type { ContractHandlers } from './handlers';
import type { z } from 'zod';

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'arguments'}: ${issue.message}`)
    .join('; ');
}

/**
 * The one path from a transport to a service: checks the channel and the surface, parses the
 * arguments before any service sees them, calls the handler, checks the result against the
 * contract (unknown fields are dropped, so nothing extra leaks to the renderer) and turns every
 * failure into an error envelope. It never throws.
 */
export async function dispatch(
  handlers: ContractHandlers,
  channel: unknown,
  rawArgs: unknown,
  context: CallContext,
  log: Logger,
): Promise<Envelope<unknown>> {
  if (!isChannelName(channel)) {
    return failure('UNKNOWN_CHANNEL', `There is no channel named ${JSON.stringify(String(channel)).slice(0, 80)}.`);
  }
  const spec = channels[channel];
  if (!spec.surfaces.includes(context.surface)) {
    return failure('NOT_ON_THIS_SURFACE', `${channel} is not available on the ${context.surface}.`);
  }
  const args = spec.args.safeParse(rawArgs);
  if (!args.success) {
    return failure('INVALID_ARGUMENTS', `${channel}: ${describeIssues(args.error)}`);
  }
  let value: unknown;
  try {
    // The handler map is keyed by channel; TypeScript cannot correlate the two here.
    const handler = handlers[channel] as (a: unknown, c: CallContext) => unknown;
    value = await handler(args.data, context);
  } catch (error) {
    if (error instanceof CardDeskError) return failure(error.code, error.message, error.approval);
    log.error('channel failed', { channel, error });
    return failure('INTERNAL', 'Something went wrong inside CardDesk. The details are in the log.');
  }
  const result = spec.result.safeParse(value);
  if (!result.success) {
    log.error('channel result does not match the contract', { channel, issues: describeIssues(result.error) });
    return failure('INTERNAL', 'Something went wrong inside CardDesk. The details are in the log.');
  }
  return success(result.data);
}
