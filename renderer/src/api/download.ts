import type { Download } from '@shared/schemas/certificates';

/** Hands a file from the services to the browser's download (no file system access needed). */
export function saveDownload(file: Download): void {
  const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mediaType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Reads a chosen file as text (CSV, PEM) or base64 (PKCS#12). */
export function readFileText(file: File): Promise<string> {
  return file.text();
}

export async function readFileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
