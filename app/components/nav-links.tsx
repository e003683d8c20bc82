'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function NavLinks() {
  const path = usePathname();
  const links = [
    { href: '/', label: 'Sweeps', active: path === '/' || path.startsWith('/sweeps') },
    { href: '/launch', label: 'Launch', active: path.startsWith('/launch') },
  ];
  return (
    <nav aria-label="main">
      {links.map((l) => (
        <Link key={l.href} href={l.href} aria-current={l.active ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
