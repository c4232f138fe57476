/**
 * Sends whole commands over a card session: data longer than one short APDU goes by command
 * chaining (ISO 7816-4 §5.1.1.1, CLA bit 0x10; what every PIV card accepts) or, for cards and
 * readers that take them, as one extended-length APDU; GET RESPONSE for 61xx, and a resend with
 * the right Le for 6Cxx.
 */
import { CardDeskError } from '../../shared/errors';
import { ApduFormatError, CLA_CHAINING, decodeResponse, encodeCommand, type CommandApdu, type ResponseApdu } from '../../smartcard/apdu';
import { CLA, INS, PARAM } from '../../smartcard/piv';
import { concatBytes } from '../../smartcard/tlv';
import { isMoreData, SW } from '../../smartcard/status-words';
import { atrCapabilities } from '../../smartcard/atr';
import type { CardConnection } from '../readers/card-connection';

const CHUNK = 255;

export class ApduTransport {
  /** Number of APDUs sent, for tests and benchmarks. */
  sent = 0;

  constructor(
    readonly connection: CardConnection,
    private mode: 'chaining' | 'extended' = 'chaining',
  ) {}

  /**
   * A transport in the card's best mode: extended length when its ATR says it takes extended
   * Lc/Le (one APDU for a certificate instead of five, which matters at tens of ms per APDU);
   * should the reader refuse them (wrong length), it falls back to chaining for the session.
   */
  static forCard(connection: CardConnection): ApduTransport {
    return new ApduTransport(connection, atrCapabilities(connection.atr).extendedLength ? 'extended' : 'chaining');
  }

  async #raw(command: CommandApdu): Promise<ResponseApdu> {
    this.sent += 1;
    const bytes = await this.connection.transmit(encodeCommand(command));
    try {
      return decodeResponse(bytes);
    } catch (error) {
      if (error instanceof ApduFormatError) throw new CardDeskError('CARD_ERROR', 'The card sent a malformed response.', { cause: error });
      throw error;
    }
  }

  async send(command: Omit<CommandApdu, 'le' | 'data'> & { data?: Uint8Array; le?: number }): Promise<ResponseApdu> {
    const data = command.data ?? new Uint8Array(0);
    const le = command.le ?? 256;
    // In extended mode, long data and "give me everything" answers travel in one APDU each way.
    const extended = this.mode === 'extended' && (data.length > CHUNK || le >= 256);
    if (extended) {
      const response = await this.#raw({ ...command, data, le: 65536 });
      if (response.sw !== SW.WRONG_LENGTH) return this.#rest(response);
      this.mode = 'chaining';
    }
    // Otherwise all but the last chunk go with the chaining bit; the card answers each with 9000.
    let offset = 0;
    while (data.length - offset > CHUNK) {
      const part = await this.#raw({ ...command, cla: command.cla | CLA_CHAINING, data: data.subarray(offset, offset + CHUNK), le: 0 });
      if (part.sw !== SW.OK) return part;
      offset += CHUNK;
    }
    const last = data.subarray(offset);
    let response = await this.#raw({ ...command, data: last, le });
    if ((response.sw & 0xff00) === SW.WRONG_LE) response = await this.#raw({ ...command, data: last, le: response.sw & 0xff || 256 });
    return this.#rest(response);
  }

  /** Collects what the card still holds after `first` (61xx → GET RESPONSE). */
  async #rest(first: ResponseApdu): Promise<ResponseApdu> {
    let response = first;
    const parts: Uint8Array[] = [response.data];
    while (isMoreData(response.sw)) {
      response = await this.#raw({ cla: CLA, ins: INS.GET_RESPONSE, p1: PARAM.NONE, p2: PARAM.NONE, data: new Uint8Array(0), le: response.sw & 0xff || 256 });
      parts.push(response.data);
    }
    return { data: parts.length === 1 ? response.data : concatBytes(...parts), sw: response.sw };
  }
}
