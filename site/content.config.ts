// The policies folder as a content collection, so policies/*.mdx render with Astro's MDX pipeline.
// The folder comes from PATCHPROOF_POLICIES (the build sets it to the folder the model was
// evaluated from); entry ids are the file paths relative to it, matching the model's `file`.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';

const base = process.env.PATCHPROOF_POLICIES ?? './policies';

export const collections = {
  policies: defineCollection({
    loader: glob({ pattern: '**/*.mdx', base, generateId: ({ entry }) => entry }),
  }),
};
