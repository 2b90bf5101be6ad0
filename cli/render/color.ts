import type { Health } from '../../src/status/model.js';

/**
 * Colour only for a person at a terminal: not in a pipe or a file, not with NO_COLOR set (no-color.org). Every
 * coloured word is also written out, so nothing is said by colour alone.
 */
export interface Paint {
  health(h: Health, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const CODES: Record<Health, string> = { ok: '32', pending: '33', absent: '33', paused: '36', unknown: '90', missing: '31', failed: '31' };

export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}

export function paint(color: boolean): Paint {
  const sgr = (code: string, text: string): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    health: (h, text) => sgr(CODES[h], text),
    bold: (text) => sgr('1', text),
    dim: (text) => sgr('2', text),
  };
}

/** The word for a health, as the status prints it. */
export const HEALTH_WORD: Record<Health, string> = {
  ok: 'ok',
  pending: 'starting',
  absent: 'not created',
  paused: 'paused',
  unknown: 'unknown',
  missing: 'deleted',
  failed: 'failing',
};
