import { channels, type ChannelName } from '../../electron/shared/contract';

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { next: value };
  return value;
}

/** Values a careless or hostile page could send; each one survives JSON and structured clone. */
const candidates: readonly unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  '',
  'readers:list',
  'x'.repeat(100_000),
  [],
  [1, 2, 3],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  { pin: '123456' },
  deeplyNested(2000),
];

/**
 * The candidates the channel's own schema refuses as they arrive (JSON and structured clone both
 * drop an object's prototype, so `{ __proto__: … }` arrives as `{}`): each must come back as
 * INVALID_ARGUMENTS.
 */
export function malformedArgsFor(channel: ChannelName): unknown[] {
  const { args } = channels[channel];
  return candidates.filter((value) => !args.safeParse(value).success && !args.safeParse(value === undefined ? value : JSON.parse(JSON.stringify(value))).success);
}
