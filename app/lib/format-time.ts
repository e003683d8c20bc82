/** "2026-11-28 15:48 UTC": the same text on the server and in every browser (no locale or time-zone drift, so no hydration mismatch). */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
