// A policy body on its page: the leading h1 that repeats the page title goes, the other headings
// move down one level, so the page keeps one h1 and the policy file keeps its own title.
import { describe, expect, it } from 'vitest';
import { policyBodyHeadings } from '../../site/lib/policy-headings.ts';

describe('policy body headings', () => {
  it('drops a leading h1 that repeats the title and demotes the rest', () => {
    const html = '<h1 id="patch-management-policy">Patch Management Policy</h1>\n<h2 id="1-purpose">1. Purpose</h2><p>Text</p><h3 id="a">A</h3>';
    expect(policyBodyHeadings(html, 'Patch Management Policy')).toBe('\n<h3 id="1-purpose">1. Purpose</h3><p>Text</p><h4 id="a">A</h4>');
  });

  it('compares the text: markup, character references, case and spacing aside', () => {
    const html = '  <h1 id="x">Patch &amp; <em>Change</em>\n  management</h1><h2>B</h2>';
    expect(policyBodyHeadings(html, 'Patch & change Management')).toBe('<h3>B</h3>');
  });

  it('keeps a leading h1 that says something else, one level down', () => {
    const html = '<h1 id="draft">Draft notes</h1><h2>Purpose</h2>';
    expect(policyBodyHeadings(html, 'Patch Management Policy')).toBe('<h2 id="draft">Draft notes</h2><h3>Purpose</h3>');
  });

  it('demotes an h1 that is not first, and leaves h6 and non-heading tags alone', () => {
    const html = '<p>Intro</p><h1>Patch Management Policy</h1><h5>e</h5><h6>f</h6><hr><header>h</header>';
    expect(policyBodyHeadings(html, 'Patch Management Policy')).toBe('<p>Intro</p><h2>Patch Management Policy</h2><h6>e</h6><h6>f</h6><hr><header>h</header>');
  });
});
