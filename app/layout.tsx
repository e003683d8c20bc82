import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';
import { NavLinks } from './components/nav-links';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'Warmup Atlas',
  description: 'Learning-rate warmup experiments of Kalra & Barkeshli (NeurIPS 2024): sweeps, heatmaps, mechanisms.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <a className="brand" href="/">
            Warmup Atlas
          </a>
          <NavLinks />
        </header>
        <Providers>
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
