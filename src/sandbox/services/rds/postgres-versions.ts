/**
 * The PostgreSQL versions RDS lets a new instance use, as of 2026-08 (RDS for PostgreSQL release notes, "Amazon RDS
 * for PostgreSQL updates"; the minors whose standard support ended on 2026-05-31, 14.14-14.17, 15.9-15.12,
 * 16.5-16.8 and 17.1-17.4, can no longer be created, and were replaced by 14.20, 15.15, 16.11, 17.7 or later).
 * Oldest first in each major. A major alone (`16`) names the major's newest minor, as RDS resolves it ("If you
 * specify a major version but not a minor version, Amazon RDS defaults to the latest release of the major version");
 * no version at all names the newest major's.
 */
export const POSTGRES_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  '13': ['13.20', '13.21', '13.22', '13.23'],
  '14': ['14.18', '14.19', '14.20'],
  '15': ['15.13', '15.14', '15.15'],
  '16': ['16.9', '16.10', '16.11'],
  '17': ['17.5', '17.6', '17.7'],
};

/** Majors, oldest first. */
export function postgresMajors(): string[] {
  return Object.keys(POSTGRES_VERSIONS).sort((a, b) => Number(a) - Number(b));
}

/** The version a major alone resolves to: its newest minor. */
export function defaultMinorOf(major: string): string | undefined {
  const minors = POSTGRES_VERSIONS[major];
  return minors?.[minors.length - 1];
}

/** The exact version RDS creates for what was asked (`16`, `16.10`, nothing), or undefined when it offers none. */
export function resolvePostgresVersion(asked: string | undefined): string | undefined {
  const majors = postgresMajors();
  const v = asked ?? (majors[majors.length - 1] as string);
  const major = v.split('.')[0] ?? '';
  if (/^\d+$/.test(v)) return defaultMinorOf(v);
  return POSTGRES_VERSIONS[major]?.includes(v) ? v : undefined;
}
