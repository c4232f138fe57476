import { z } from 'zod';

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
