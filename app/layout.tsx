import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Logscope', template: '%s · Logscope' },
  description: 'Live, sectioned build and deployment logs',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="font-sans text-[13px] antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
