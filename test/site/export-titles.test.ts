// Every file the build writes into exports/ has a title for the Exports page, and no title is
// left for a file that is no longer written.
import { describe, expect, it } from 'vitest';
import { renderCsvExports } from '../../compliance/export-csv.ts';
import { EXPORT_TITLES } from '../../site/lib/build/export-titles.ts';
import { makeFixture } from './fixtures/make-model.ts';

describe('export titles', () => {
  it('names every CSV the exports render, and the model', () => {
    const written = ['model.json', ...Object.keys(renderCsvExports(makeFixture({ hosts: 3 }).model))].sort();
    expect(written).toContain('unjudged.csv');
    expect(Object.keys(EXPORT_TITLES).sort()).toEqual(written);
    for (const name of written) expect(EXPORT_TITLES[name]?.trim(), name).toBeTruthy();
  });
});
