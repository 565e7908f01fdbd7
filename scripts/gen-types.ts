// Regenerates evidence/types.gen.ts from the JSON Schemas, so types are never maintained by hand.
// Run: npm run gen:types. test/evidence/schema-types.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { renderSchemaTypes } from './schema-types.ts';

const out = new URL('../evidence/types.gen.ts', import.meta.url);
writeFileSync(out, await renderSchemaTypes());
console.log(`wrote ${out.pathname}`);
