import type { ContractSummary } from '@shared/schemas/contracts';
export { contractStatuses, contractKinds } from '@shared/enums';

export function contractStatusColor(status: ContractSummary['status']): 'success' | 'warning' | 'error' {
  switch (status) {
    case 'signed':
      return 'success';
    case 'awaitingSignature':
      return 'warning';
    case 'signatureInvalid':
    case 'damaged':
      return 'error';
  }
}

/** Base64 from the contract as bytes for pdf.js and the download. */
export function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function base64Of(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Hands bytes to the browser's download. */
export function downloadBytes(fileName: string, bytes: Uint8Array, mediaType: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mediaType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
