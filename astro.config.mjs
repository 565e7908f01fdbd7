// Astro configuration for the auditor site: sources in site/, static HTML only, MDX for policies.
// The build is driven by site/lib/build/astro-build.ts, which passes root and outDir and hands
// the model to pages through PATCHPROOF_MODEL (see docs/site.md).
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  output: 'static',
  trailingSlash: 'always',
  integrations: [mdx()],
  build: { format: 'directory', inlineStylesheets: 'never', assets: '_astro' },
  compressHTML: true,
  devToolbar: { enabled: false },
  prefetch: false,
  image: { service: { entrypoint: 'astro/assets/services/noop' } },
  vite: {
    build: {
      rolldownOptions: {
        // MDX policies carry Astro's "use astro:head-inject" directive; bundling them is expected.
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
          handler(level, log);
        },
      },
    },
  },
});
