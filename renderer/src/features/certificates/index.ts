// What other features may use of the certificates (eslint rule carddesk/feature-boundaries).
export { CaWizard } from './CaWizard';
export { HolderPicker } from './HolderPicker';
export { IssueCertificateDialog } from './IssueCertificateDialog';
export { statusColor } from './labels';
