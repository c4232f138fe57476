/** The part of Electronegativity's programmatic API the security test uses (the package ships no types). */
declare module '@doyensec/electronegativity' {
  export interface ElectronegativityIssue {
    id: string;
    severity: { name: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' };
    confidence: { name: string };
    manualReview: boolean;
    file: string;
    location: { line: number; column: number };
  }
  export default function run(options: {
    input: string;
    isRelative?: boolean;
    electronVersionOverride?: string;
    excludeFromScan?: string[];
  }): Promise<{ issues: ElectronegativityIssue[]; errors: unknown[]; atomicChecks: number; globalChecks: number }>;
}
