/** An ISO time as a person reads it: 2026-09-14 08:30 UTC. */
export function utc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}
