// Full-text search: Pagefind's Node API indexes the built pages (only each page's main content,
// marked data-pagefind-body) and writes its static index and UI into /pagefind/.
import { join } from 'node:path';
import { siteError } from '../errors.ts';

export async function buildSearchIndex(siteDir: string): Promise<{ pages: number }> {
  const pagefind = await import('pagefind');
  try {
    const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
    if (!index) throw new Error(errors.join('; ') || 'no index');
    const added = await index.addDirectory({ path: siteDir });
    if (added.errors.length > 0) throw new Error(added.errors.join('; '));
    const written = await index.writeFiles({ outputPath: join(siteDir, 'pagefind') });
    if (written.errors.length > 0) throw new Error(written.errors.join('; '));
    return { pages: added.page_count };
  } catch (cause) {
    throw siteError('SITE_PAGEFIND_FAILED', `pagefind: ${(cause as Error).message}`, { cause });
  } finally {
    await pagefind.close();
  }
}
