const MAX_REASON_LENGTH = 160;

/**
 * A short, publishable reason from an error: the first line of its message, any known secret masked, bounded in
 * length. Driver messages do not normally contain credentials; this is the guarantee, not the hope.
 */
export function safeReason(error: unknown, secrets: readonly (string | undefined)[] = []): string {
  let reason = error instanceof Error ? error.message : String(error);
  reason = reason.split('\n', 1)[0] ?? '';
  for (const secret of secrets) {
    if (secret) reason = reason.split(secret).join('***');
  }
  if (reason === '') reason = error instanceof Error ? error.name : 'unknown error';
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}
