/**
 * Headless Chromium (Debian's /usr/bin/chromium) for checks of the Temporal Web UI: loads a page,
 * lets its scripts run and fetch, and returns the rendered DOM.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** The rendered DOM of a page, after up to `budgetMs` of its own (virtual) time. */
export async function renderedDom(url: string, budgetMs = 15_000): Promise<string> {
  if (!CHROMIUM) throw new Error('no Chromium: apt-get install chromium');
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-'));
  try {
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        `--user-data-dir=${profile}`,
        `--virtual-time-budget=${budgetMs}`,
        '--dump-dom',
        url,
      ],
      { timeout: budgetMs + 30_000, maxBuffer: 32 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The Web UI's workflow list of a namespace with a visibility query in its filter. */
export const webUiWorkflowList = (uiUrl: string, namespace: string, query: string): Promise<string> =>
  renderedDom(`${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`);
