/** The PAdES engine: sign with an external (card) signer, add validation data and document time-stamps, verify. */
export { prepareSignature, addValidationData, addDocumentTimestamp, type PreparedSignature, type SignatureRequest, type ValidationData, type Timestamper } from './pades-signer';
export { verifyPdf, type VerifyOptions, type CertificateStatus } from './pdf-verifier';
