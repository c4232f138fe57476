import { Box } from '@mui/material';
import type { PdfVerifyReport } from '@shared/schemas/contracts';
import { PdfViewer } from './viewer';
import { SignaturePanel } from './SignaturePanel';

/** A PDF beside what its signatures say: the viewer and the signature panel. */
export function ContractDocument({ bytes, fileName, report, onDownload }: { bytes: Uint8Array; fileName: string; report: PdfVerifyReport | null; onDownload: () => void }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 3fr) minmax(280px, 2fr)' }, gap: 2, alignItems: 'start' }}>
      <PdfViewer data={bytes} fileName={fileName} onDownload={onDownload} />
      {report !== null && <SignaturePanel report={report} />}
    </Box>
  );
}
