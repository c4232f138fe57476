import { z } from 'zod';
import { welcomeSteps } from '../enums';

/** Where the app runs: the Electron shell or the loopback browser host. */
export const RunModeSchema = z.enum(['electron', 'browser']);

/** Which set of screens a window shows: the operator's desk or the holder's kiosk. */
export const SurfaceSchema = z.enum(['desk', 'kiosk']);
export type Surface = z.infer<typeof SurfaceSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** The folder holding vault, audit log and logs (CARDDESK_HOME or the per-user default). */
  dataDir: z.string(),
  mode: RunModeSchema,
  surface: SurfaceSchema,
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** The welcome flow's steps on a new data folder, in order. */
export const WelcomeStepSchema = z.enum(welcomeSteps);
export type WelcomeStep = z.infer<typeof WelcomeStepSchema>;

/**
 * What the welcome flow cannot read from the data folder itself: the steps the operator skipped and
 * whether the issuance policy was looked at (kept as it was counts). Kept with the desk's settings,
 * so every window and browser on this data folder resumes the same way.
 */
export const WelcomeProgressSchema = z
  .object({
    skipped: z.array(WelcomeStepSchema.exclude(['vault'])).max(3),
    policyDone: z.boolean(),
  })
  .strict();
export type WelcomeProgress = z.infer<typeof WelcomeProgressSchema>;
