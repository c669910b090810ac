'use client';
import { REMEMBERED_STEP_KEY } from '@/lib/viewer/landing';

/**
 * The step this browser opened last, by name (lib/viewer/landing.ts): a passed job opens it.
 * localStorage may be absent, full or blocked (private modes, sandboxed frames): then nothing
 * is remembered.
 */

/** Step names are at most this long (lib/contracts nameSchema); anything longer is not ours. */
const MAX_REMEMBERED_CHARS = 200;

export function readRememberedStep(): string | null {
  try {
    const name = window.localStorage.getItem(REMEMBERED_STEP_KEY);
    return name && name.length <= MAX_REMEMBERED_CHARS ? name : null;
  } catch {
    return null;
  }
}

export function rememberStep(name: string): void {
  if (!name || name.length > MAX_REMEMBERED_CHARS) return;
  try {
    window.localStorage.setItem(REMEMBERED_STEP_KEY, name);
  } catch {
    // storage full or blocked: the next visit opens the last step
  }
}
