'use client';
import { useSyncExternalStore } from 'react';
import { DEFAULT_PREFERENCES, documentAttributes, parsePreferences, PREFERENCE_KEYS, serializePreference, type DisplayPreferences } from '@/lib/viewer/preferences';

/**
 * The display preferences (lib/viewer/preferences.ts) as a store over localStorage, read with
 * useSyncExternalStore: every viewer and menu on the page sees a change at once, other tabs
 * through the `storage` event. Server render and hydration read the defaults (the server cannot
 * know them; what the first paint needs was already set on `<html>` by the head script).
 *
 * Module state on purpose: it mirrors localStorage, which is one per page too. Where storage is
 * unavailable (a sandboxed frame, a full quota), changes live in memory for the page's life.
 */

const KEYS = Object.values(PREFERENCE_KEYS);
const listeners = new Set<() => void>();
const memory = new Map<string, string>();
let cached: { raw: string; prefs: DisplayPreferences } | null = null;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

function read(key: string): string | null {
  try {
    const stored = storage()?.getItem(key);
    if (stored !== null && stored !== undefined) return stored;
  } catch {
    // blocked storage: memory only
  }
  return memory.get(key) ?? null;
}

/**
 * React calls this on every render of every viewer and menu that reads the preferences (twice:
 * render and commit), and a live job page renders once per flush: storage is read again only
 * after a change this module was told of (`changed`: setPreferences or another tab's `storage`
 * event), not on every call (it used to read and stringify every key each time).
 */
let fresh = false;

function snapshot(): DisplayPreferences {
  // only while subscribed: without a listener no `storage` event says another tab changed them
  if (fresh && cached && listeners.size > 0) return cached.prefs;
  const raw = JSON.stringify(KEYS.map(read));
  if (cached?.raw !== raw) cached = { raw, prefs: parsePreferences(read) };
  fresh = true;
  return cached.prefs;
}

const serverSnapshot = (): DisplayPreferences => DEFAULT_PREFERENCES;

/** On a Logscope page (its head script marked `<html>`), keeps the marks in step; never on a host page that embeds the library. */
function applyToDocument(prefs: DisplayPreferences): void {
  const root = document.documentElement;
  if (!root.hasAttribute('data-ls-theme')) return;
  for (const [name, value] of Object.entries(documentAttributes(prefs))) root.setAttribute(name, value);
}

function changed(): void {
  fresh = false;
  applyToDocument(snapshot());
  for (const listener of listeners) listener();
}

function onStorage(e: StorageEvent): void {
  if (e.key === null || KEYS.includes(e.key)) changed();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    window.addEventListener('storage', onStorage);
    fresh = false; // changes made while nobody listened
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('storage', onStorage);
  };
}

/** Stores and applies a change of one or more preferences. */
export function setPreferences(patch: Partial<DisplayPreferences>): void {
  for (const key of Object.keys(patch) as (keyof DisplayPreferences)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    const text = serializePreference(key, value);
    const store = storage();
    try {
      if (!store) throw new Error('no storage');
      store.setItem(PREFERENCE_KEYS[key], text);
      memory.delete(PREFERENCE_KEYS[key]);
    } catch {
      // no storage, or a quota or policy refused it: kept in memory
      memory.set(PREFERENCE_KEYS[key], text);
    }
  }
  changed();
}

/** The current preferences (the defaults while rendering on the server and hydrating). */
export function usePreferences(): DisplayPreferences {
  return useSyncExternalStore(subscribe, snapshot, serverSnapshot);
}
