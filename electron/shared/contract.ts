/**
 * The one IPC contract between the renderer and the services. Every channel is named
 * `feature:verb` and has a schema for its arguments and its result; every push event is
 * named `feature:event` and has a schema for its payload. Electron IPC (electron/main),
 * the browser-mode WebSocket (electron/host), the preload and the browser bridge all
 * derive from this file and nothing else.
 */
import { z } from 'zod';
import { AppInfoSchema, type Surface } from './schemas/app';
import {
  AuditAppendedSchema,
  AuditExportSchema,
  AuditFilterSchema,
  AuditPageSchema,
  AuditQueryArgsSchema,
  AuditVerifyReportSchema,
  HolderSummaryArgsSchema,
  HolderSummarySchema,
} from './schemas/audit';
import { CardActionResultSchema, CardArgs, CardInspectResultSchema } from './schemas/cards';
import { Pkcs11Args, Pkcs11LoginResultSchema, Pkcs11ModuleStatusSchema, Pkcs11ObjectsSchema, Pkcs11TokenSchema } from './schemas/pkcs11';
import { PcscServiceStatusSchema, ReaderListSchema, ReaderRemovedSchema, ReaderSchema } from './schemas/readers';

/** A channel that takes no arguments. */
const NoArgs = z.undefined();

const both: readonly Surface[] = ['desk', 'kiosk'];
const desk: readonly Surface[] = ['desk'];

interface ChannelSpec {
  readonly args: z.ZodType;
  readonly result: z.ZodType;
  /** The surfaces that may call it; a kiosk window never reaches an operator channel. */
  readonly surfaces: readonly Surface[];
  /** `write` channels change state and must leave an event in the audit trail. */
  readonly effect: 'read' | 'write';
}

export const channels = {
  'app:info': { args: NoArgs, result: AppInfoSchema, surfaces: both, effect: 'read' },
  'readers:list': { args: NoArgs, result: ReaderListSchema, surfaces: both, effect: 'read' },
  'readers:insertVirtualCard': { args: NoArgs, result: z.null(), surfaces: desk, effect: 'write' },
  'readers:removeVirtualCard': { args: NoArgs, result: z.null(), surfaces: desk, effect: 'write' },
  'cards:inspect': { args: CardArgs.inspect, result: CardInspectResultSchema, surfaces: both, effect: 'read' },
  'cards:verifyPin': { args: CardArgs.verifyPin, result: CardActionResultSchema, surfaces: both, effect: 'write' },
  'cards:changePin': { args: CardArgs.changePin, result: CardActionResultSchema, surfaces: both, effect: 'write' },
  'cards:changePuk': { args: CardArgs.changePuk, result: CardActionResultSchema, surfaces: both, effect: 'write' },
  'cards:unblockPin': { args: CardArgs.unblockPin, result: CardActionResultSchema, surfaces: both, effect: 'write' },
  'cards:setRetryCounters': { args: CardArgs.setRetryCounters, result: CardActionResultSchema, surfaces: desk, effect: 'write' },
  'tokens:modules': { args: NoArgs, result: z.array(Pkcs11ModuleStatusSchema), surfaces: desk, effect: 'read' },
  'tokens:addModule': { args: Pkcs11Args.addModule, result: Pkcs11ModuleStatusSchema, surfaces: desk, effect: 'write' },
  'tokens:removeModule': { args: Pkcs11Args.removeModule, result: z.null(), surfaces: desk, effect: 'write' },
  'tokens:list': { args: NoArgs, result: z.array(Pkcs11TokenSchema), surfaces: desk, effect: 'read' },
  'tokens:objects': { args: Pkcs11Args.objects, result: Pkcs11ObjectsSchema, surfaces: desk, effect: 'read' },
  'tokens:login': { args: Pkcs11Args.login, result: Pkcs11LoginResultSchema, surfaces: desk, effect: 'write' },
  'audit:query': { args: AuditQueryArgsSchema, result: AuditPageSchema, surfaces: desk, effect: 'read' },
  // The kiosk will show a holder their own history; the handler takes the holder from the kiosk
  // session, never from the page alone, so a kiosk can only ever read that one holder's events.
  'audit:holderSummary': { args: HolderSummaryArgsSchema, result: HolderSummarySchema, surfaces: both, effect: 'read' },
  /** The last verification's report (null before the first), without running one. */
  'audit:integrity': { args: NoArgs, result: AuditVerifyReportSchema.nullable(), surfaces: desk, effect: 'read' },
  // Verifying and exporting are themselves recorded (audit.verify, audit.export).
  'audit:verify': { args: NoArgs, result: AuditVerifyReportSchema, surfaces: desk, effect: 'write' },
  'audit:exportCsv': { args: AuditFilterSchema, result: AuditExportSchema, surfaces: desk, effect: 'write' },
} as const satisfies Record<`${string}:${string}`, ChannelSpec>;

export const events = {
  'readers:serviceChanged': PcscServiceStatusSchema,
  'readers:readerAdded': ReaderSchema,
  'readers:readerRemoved': ReaderRemovedSchema,
  /** The card stayed but its state changed (became mute, or another program took it). */
  'readers:readerChanged': ReaderSchema,
  'readers:cardInserted': ReaderSchema,
  'readers:cardRemoved': ReaderSchema,
  /** New events are in the audit log; screens ask again for what they show. */
  'audit:appended': AuditAppendedSchema,
} as const satisfies Record<`${string}:${string}`, z.ZodType>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
/** Arguments as the caller writes them. */
export type ChannelArgs<C extends ChannelName> = z.input<Channels[C]['args']>;
/** Arguments as a handler receives them, after parsing. */
export type ParsedArgs<C extends ChannelName> = z.output<Channels[C]['args']>;
export type ChannelResult<C extends ChannelName> = z.output<Channels[C]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
