import { z } from 'zod';

/**
 * The desk's network listener: one setting for every service the desk offers to other machines
 * (its CRLs, OCSP and CA certificate today). Off until an administrator turns it on.
 */
export const NetworkListenerSettingsSchema = z
  .object({
    enabled: z.boolean(),
    /** The IP address to listen on: 0.0.0.0 or :: for every interface, or one interface's address. */
    address: z.string().trim().min(2).max(64),
    port: z.number().int().min(1).max(65535),
  })
  .strict();
export type NetworkListenerSettings = z.infer<typeof NetworkListenerSettingsSchema>;

export const NetworkListenerStatusSchema = z.object({
  settings: NetworkListenerSettingsSchema,
  /** Where it listens now; null when off (or when it could not start). */
  listening: z.object({ address: z.string(), port: z.number().int() }).nullable(),
  /** Why it is not listening although turned on (the port is taken, the address is not this machine's). */
  problem: z.string().nullable(),
  /** The paths it serves, for people. */
  paths: z.array(z.string()),
});
export type NetworkListenerStatus = z.infer<typeof NetworkListenerStatusSchema>;
