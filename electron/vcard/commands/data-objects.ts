/** SELECT, GET DATA and PUT DATA (SP 800-73-4 Part 2 §3.1.1, §3.1.2, §3.2.6). */
import { DATA, dataWrapperTag, OBJECT, PARAM, PIN_PROTECTED_OBJECTS, PIV_AID, PIV_RID } from '../../smartcard/piv';
import { certificateObject } from '../../smartcard/piv-objects';
import { SW } from '../../smartcard/status-words';
import { decodeTlvs, encodeTlv, TlvError } from '../../smartcard/tlv';
import { fail, requireManagementKey, requireP1P2, type CommandContext, type Command } from '../command-context';
import { APPLICATION_PROPERTY_TEMPLATE, tagKey } from '../factory';

/** SP 800-73-4's largest container (12710 bytes) with room for its TLV wrapper. */
const MAX_OBJECT_BYTES = 12_800;

export function select(command: Command): Uint8Array {
  if (command.p1 !== PARAM.SELECT_BY_AID) fail(SW.INCORRECT_P1P2);
  const aid = command.data;
  // Right-truncated AIDs are allowed down to the RID (ISO 7816-4 §8.2.2.2).
  const matches = aid.length >= PIV_RID.length && aid.length <= PIV_AID.length && aid.every((byte, index) => byte === PIV_AID[index]);
  if (!matches) fail(SW.FILE_NOT_FOUND);
  return APPLICATION_PROPERTY_TEMPLATE;
}

function objectTag(tagBytes: Uint8Array): number {
  if (tagBytes.length === 0 || tagBytes.length > 3) fail(SW.INCORRECT_DATA);
  return tagBytes.reduce((tag, byte) => (tag << 8) | byte, 0);
}

function parse(data: Uint8Array): ReturnType<typeof decodeTlvs> {
  try {
    return decodeTlvs(data);
  } catch (error) {
    if (error instanceof TlvError) fail(SW.INCORRECT_DATA);
    throw error;
  }
}

export function getData(runtime: CommandContext, command: Command): Uint8Array {
  requireP1P2(command, PARAM.DATA_P1, PARAM.DATA_P2);
  const [tagList] = parse(command.data);
  if (tagList?.tag !== DATA.TAG_LIST) fail(SW.INCORRECT_DATA);
  const tag = objectTag(tagList.value);
  if (tag === OBJECT.ATTESTATION_CERTIFICATE) {
    const certificate = Buffer.from(runtime.state.attestation.certificate, 'base64');
    return encodeTlv(DATA.CONTAINER, certificateObject(certificate));
  }
  const stored = runtime.state.objects[tagKey(tag)];
  if (stored === undefined) fail(SW.FILE_NOT_FOUND);
  if (PIN_PROTECTED_OBJECTS.has(tag) && !runtime.session.pinVerified) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
  return encodeTlv(dataWrapperTag(tag), Buffer.from(stored, 'base64'));
}

export function putData(runtime: CommandContext, command: Command): Uint8Array {
  requireP1P2(command, PARAM.DATA_P1, PARAM.DATA_P2);
  requireManagementKey(runtime);
  const [tagList, content] = parse(command.data);
  if (tagList?.tag !== DATA.TAG_LIST || content === undefined) fail(SW.INCORRECT_DATA);
  const tag = objectTag(tagList.value);
  if (content.tag !== dataWrapperTag(tag)) fail(SW.INCORRECT_DATA);
  if (content.value.length > MAX_OBJECT_BYTES) fail(SW.NOT_ENOUGH_MEMORY);
  const key = tagKey(tag);
  if (content.value.length === 0) {
    // An empty object deletes it.
    const { [key]: _removed, ...rest } = runtime.state.objects;
    runtime.state.objects = rest;
  } else {
    runtime.state.objects[key] = Buffer.from(content.value).toString('base64');
  }
  runtime.commit();
  return new Uint8Array(0);
}
