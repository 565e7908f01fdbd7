// A policy file reads on its own with its `# Title`; on its site page the title is already the
// page's h1, so the rendered body drops a leading h1 that repeats it and moves every other heading
// down one level, leaving the page exactly one h1 and the policy's sections under "Policy text".

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text of an HTML fragment: tags removed, character references decoded, spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (ref, name: string) => {
      if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? ref;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

const LEADING_H1 = /^\s*<h1(?:\s[^>]*)?>([\s\S]*?)<\/h1>/i;
const HEADING_TAG = /<(\/?)h([1-6])(?=[\s>])/gi;

/**
 * `html` is the policy body as the MDX pipeline rendered it (our own policy files, plain Markdown).
 * A leading h1 whose text equals `title` (case and spacing aside) is removed; h1…h5 become h2…h6
 * (h6 stays h6).
 */
export function policyBodyHeadings(html: string, title: string): string {
  const lead = LEADING_H1.exec(html);
  const same = (a: string, b: string) => a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();
  const body = lead && same(textOf(lead[1] as string), title) ? html.slice(lead[0].length) : html;
  return body.replace(HEADING_TAG, (_tag, close: string, level: string) => `<${close}h${Math.min(6, Number(level) + 1)}`);
}
