/**
 * src/hardware owns device profiles: the HardwareProfile types (mirroring
 * hardware-profiles/profile.schema.json), the loader with its checks, id/alias lookup and overrides.
 */
export * from './types.ts';
export { applyProfileOverrides, parseProfile, profileSchema, resolveDeviceId } from './load.ts';
