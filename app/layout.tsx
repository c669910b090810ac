import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { PreferencesScript } from './_preferences/script';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Logscope', template: '%s · Logscope' },
  description: 'Live, sectioned build and deployment logs',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry the nonce of that response's CSP
  // (proxy.ts), which a page prerendered at build time could not.
  await connection();
  return (
    // the head script sets the theme and wrap marks on <html> before hydration (React leaves them)
    <html lang="en" suppressHydrationWarning>
      <head>
        <PreferencesScript />
      </head>
      <body className="font-sans text-[13px] antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
