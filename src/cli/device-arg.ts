/** Resolves `--device ID|profile.yaml` to a parsed hardware profile (built-ins from hardware-profiles/). */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseProfile, resolveDeviceId, type HardwareProfile } from '../hardware/index.ts';
import { EdgeplanError } from '../errors/index.ts';
import type { Io } from './io.ts';

export const PROFILE_DIR = fileURLToPath(new URL('../../hardware-profiles/', import.meta.url));

let builtins: Map<string, HardwareProfile> | undefined;

export function builtinProfiles(io: Io): Map<string, HardwareProfile> {
  if (!builtins) {
    builtins = new Map();
    for (const f of readdirSync(PROFILE_DIR).filter((x) => x.endsWith('.yaml')).sort()) {
      const p = parseProfile(io.readText(PROFILE_DIR + f), `hardware-profiles/${f}`);
      builtins.set(p.id, p);
    }
  }
  return builtins;
}

export function loadDeviceArg(io: Io, device: string, flag = '--device'): HardwareProfile {
  if (/\.ya?ml$/i.test(device)) return parseProfile(io.readText(device), device);
  const all = builtinProfiles(io);
  try {
    return all.get(resolveDeviceId(device, [...all.values()]))!;
  } catch (e) {
    throw e instanceof EdgeplanError && e.code === 'unknown_device' ? e.withLocation({ path: flag }) : e;
  }
}
