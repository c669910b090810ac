'use client';
import { createContext, useContext } from 'react';
import type { ApiAuth } from '@/lib/client/api';

/**
 * The credential of one viewer (lib/client/api.ts ApiAuth), given by LogViewer to the hooks
 * that read the API. Each viewer provides its own, so two viewers on a page never share one.
 */
export const ApiAuthContext = createContext<ApiAuth | undefined>(undefined);

export function useApiAuth(): ApiAuth | undefined {
  return useContext(ApiAuthContext);
}
