/**
 * Checks on HTTP answers shared by every engine's tests: no answer may leak a stack trace, and
 * conditions that become true later are polled with a deadline, never waited for blindly.
 */

/** True if the text looks like a stack trace: "at fn (file:line)" frames or source paths. */
export function looksLikeStackTrace(text: string): boolean {
  return (
    /\n\s*at \S/.test(text) ||
    /\bat [\w.<>]+ \(/.test(text) ||
    /[\w/\\.-]+\.(ts|js|mjs|cjs):\d+/.test(text) ||
    /node_modules|\/work\/|\/src\//.test(text)
  );
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? String(lastError) : JSON.stringify(lastError)})` : ''}`,
  );
}
