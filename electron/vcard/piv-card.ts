/**
 * The virtual PIV card (NIST SP 800-73-4 card edge, plus the vendor extensions of the most
 * common PIV token). It answers command APDUs like a real card: command chaining (CLA 10),
 * responses longer than Le handed out with 61xx / GET RESPONSE, short and extended length,
 * real retry counters, and a security status that a reset or power-off clears. It can sit in
 * the embedded virtual reader or behind the OS's PC/SC through vpcd (see vpcd-link.ts).
 */
import { CLA_CHAINING, decodeCommand, encodeResponse, ApduFormatError, type CommandApdu } from '../smartcard/apdu';
import { CLA, INS } from '../smartcard/piv';
import { SW } from '../smartcard/status-words';
import { concatBytes } from '../smartcard/tlv';
import type { CardState, CardStateStore } from './card-state';
import { StatusWordError, freshSession, type CommandContext, type SessionState } from './command-context';
import { generalAuthenticate } from './commands/authenticate';
import { getData, putData, select } from './commands/data-objects';
import { attest, generateKeyPair, importKey, metadata } from './commands/keys';
import { changeReferenceData, resetRetryCounter, verify } from './commands/reference-data';
import { reset, serial, setManagementKey, setPinRetries, version } from './commands/vendor';
import { ATR, factoryState } from './factory';
import type { VirtualCardBackend } from './vpcd-link';

interface Chain {
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly parts: Uint8Array[];
}

export class VirtualPivCard implements VirtualCardBackend {
  readonly atr = ATR;
  readonly #store: CardStateStore;
  #state: CardState;
  #session: SessionState = freshSession();
  #chain: Chain | null = null;
  #pendingResponse: Uint8Array | null = null;
  /** The state changed during this command and is not saved yet. */
  #unsaved = false;

  private constructor(store: CardStateStore, state: CardState) {
    this.#store = store;
    this.#state = state;
  }

  /** Opens the card kept in `store`, or makes a factory-fresh one there. */
  static async open(store: CardStateStore, options: { serial?: number } = {}): Promise<VirtualPivCard> {
    let state = await store.load();
    if (state === null) {
      state = await factoryState(options);
      await store.save(state);
    }
    return new VirtualPivCard(store, state);
  }

  get serial(): number {
    return this.#state.serial;
  }

  powerOn(): void {
    this.#clearVolatile();
  }

  powerOff(): void {
    this.#clearVolatile();
  }

  reset(): void {
    this.#clearVolatile();
  }

  #clearVolatile(): void {
    this.#session = freshSession();
    this.#chain = null;
    this.#pendingResponse = null;
  }

  async transmit(bytes: Uint8Array): Promise<Uint8Array> {
    let command: CommandApdu & { extended: boolean };
    try {
      command = decodeCommand(bytes);
    } catch (error) {
      if (error instanceof ApduFormatError) return status(SW.WRONG_LENGTH);
      throw error;
    }
    if (command.ins === INS.GET_RESPONSE && this.#pendingResponse !== null) return this.#nextChunk(command.le);
    this.#pendingResponse = null;

    if ((command.cla & ~CLA_CHAINING) !== CLA) return status(SW.CLA_NOT_SUPPORTED);
    if ((command.cla & CLA_CHAINING) !== 0) return this.#chainPart(command);
    let data = command.data;
    if (this.#chain !== null) {
      const chain = this.#chain;
      this.#chain = null;
      if (chain.ins !== command.ins || chain.p1 !== command.p1 || chain.p2 !== command.p2) return status(SW.LAST_COMMAND_EXPECTED);
      data = concatBytes(...chain.parts, command.data);
    }
    if (command.ins !== INS.GENERAL_AUTHENTICATE) {
      this.#session.pendingWitness = null;
      this.#session.pendingChallenge = null;
    }
    let answer: Uint8Array;
    try {
      const output = await this.#execute({ ...command, data });
      answer = this.#respond(output, command);
    } catch (error) {
      answer = status(error instanceof StatusWordError ? error.sw : SW.NO_PRECISE_DIAGNOSIS);
    }
    // What the command changed (a spent PIN try included) is on disk before the response leaves;
    // a card that cannot save says so, and saves again after the next command.
    if (this.#unsaved) {
      try {
        await this.#store.save(this.#state);
        this.#unsaved = false;
      } catch {
        this.#pendingResponse = null;
        return status(SW.NO_PRECISE_DIAGNOSIS);
      }
    }
    return answer;
  }

  #chainPart(command: CommandApdu): Uint8Array {
    const chain = this.#chain;
    if (chain !== null && (chain.ins !== command.ins || chain.p1 !== command.p1 || chain.p2 !== command.p2)) {
      this.#chain = null;
      return status(SW.LAST_COMMAND_EXPECTED);
    }
    this.#chain = { ins: command.ins, p1: command.p1, p2: command.p2, parts: [...(chain?.parts ?? []), command.data] };
    return status(SW.OK);
  }

  #respond(output: Uint8Array, command: CommandApdu & { extended: boolean }): Uint8Array {
    const limit = command.extended ? command.le || 65536 : 256;
    if (output.length <= limit) return encodeResponse(output, SW.OK);
    this.#pendingResponse = output.subarray(limit);
    return encodeResponse(output.subarray(0, limit), SW.MORE_DATA | Math.min(this.#pendingResponse.length, 256) % 256);
  }

  #nextChunk(le: number): Uint8Array {
    const pending = this.#pendingResponse ?? new Uint8Array(0);
    const take = Math.min(le || 256, pending.length);
    const rest = pending.subarray(take);
    this.#pendingResponse = rest.length > 0 ? rest : null;
    return encodeResponse(pending.subarray(0, take), rest.length > 0 ? SW.MORE_DATA | (Math.min(rest.length, 256) % 256) : SW.OK);
  }

  #runtime(): CommandContext {
    return {
      state: this.#state,
      session: this.#session,
      commit: () => {
        this.#unsaved = true;
      },
      replaceState: (next) => {
        this.#state = next;
        this.#unsaved = true;
        this.#clearVolatile();
      },
    };
  }

  async #execute(command: CommandApdu): Promise<Uint8Array> {
    const runtime = this.#runtime();
    switch (command.ins) {
      case INS.SELECT:
        return select(command);
      case INS.GET_DATA:
        return getData(runtime, command);
      case INS.PUT_DATA:
        return putData(runtime, command);
      case INS.VERIFY:
        return verify(runtime, command);
      case INS.CHANGE_REFERENCE_DATA:
        return changeReferenceData(runtime, command);
      case INS.RESET_RETRY_COUNTER:
        return resetRetryCounter(runtime, command);
      case INS.GENERATE_ASYMMETRIC_KEY_PAIR:
        return generateKeyPair(runtime, command);
      case INS.GENERAL_AUTHENTICATE:
        return generalAuthenticate(runtime, command);
      case INS.GET_VERSION:
        return version(runtime);
      case INS.GET_SERIAL:
        return serial(runtime);
      case INS.GET_METADATA:
        return metadata(runtime, command);
      case INS.SET_PIN_RETRIES:
        return setPinRetries(runtime, command);
      case INS.SET_MANAGEMENT_KEY:
        return setManagementKey(runtime, command);
      case INS.IMPORT_KEY:
        return importKey(runtime, command);
      case INS.ATTEST:
        return attest(runtime, command);
      case INS.RESET:
        return reset(runtime);
      default:
        return Promise.reject(new StatusWordError(SW.INS_NOT_SUPPORTED));
    }
  }
}

function status(sw: number): Uint8Array {
  return encodeResponse(new Uint8Array(0), sw);
}
