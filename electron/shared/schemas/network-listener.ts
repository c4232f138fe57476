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
    /**
     * The HTTPS port (EST, issue 16), on the same address; null or absent: no HTTPS. Absent in a
     * change keeps what was set.
     */
    tlsPort: z.number().int().min(1).max(65535).nullable().optional(),
    /** The host name or IP address phones reach the desk at: the server certificate's SAN and the published EST URL's host. */
    publicHost: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$|^[0-9.]+$|^[0-9A-Fa-f:]+$/, 'a host name or IP address')
      .nullable()
      .optional(),
  })
  .strict();
export type NetworkListenerSettings = z.infer<typeof NetworkListenerSettingsSchema>;

export const NetworkListenerStatusSchema = z.object({
  settings: NetworkListenerSettingsSchema,
  /** Where it listens now; null when off (or when it could not start). */
  listening: z.object({ address: z.string(), port: z.number().int() }).nullable(),
  /** Where it listens for HTTPS now; null when there is no TLS port (or it could not start). */
  tlsListening: z.object({ address: z.string(), port: z.number().int() }).nullable().optional(),
  /** The published EST base URL (https://publicHost:tlsPort/.well-known/est), null without both. */
  estUrl: z.string().nullable().optional(),
  /** Why it is not listening although turned on (the port is taken, the address is not this machine's). */
  problem: z.string().nullable(),
  /** The paths it serves, for people. */
  paths: z.array(z.string()),
});
export type NetworkListenerStatus = z.infer<typeof NetworkListenerStatusSchema>;
