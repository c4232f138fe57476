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
 * The candidates the channel's own schema refuses as they arrive (after JSON or structured clone,
 * which keep own properties only: `{ __proto__: … }` arrives as `{}`, a valid filter for some
 * channels): each must come back as INVALID_ARGUMENTS.
 */
export function malformedArgsFor(channel: ChannelName): unknown[] {
  return candidates.filter((value) => !channels[channel].args.safeParse(JSON.parse(JSON.stringify(value)) as unknown).success);
}
