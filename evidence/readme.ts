// The README.md committed first into every evidence repository: how an auditor verifies it with
// stock git and gpg alone, without trusting patchproof.

export function evidenceReadme(opts: { org: string; simulated: boolean }): string {
  const simulated = opts.simulated
    ? '\n> **Simulated data.** This repository was produced by `patchproof demo`; the hosts and reports are simulated.\n'
    : '';
  return `# Patch-compliance evidence — ${opts.org}
${simulated}
This repository is written by a patchproof collector. Every report is a canonical-JSON file with a
detached OpenPGP signature beside it, and every commit is signed. You can check all of it with
stock \`git\` and \`gpg\`; you do not need patchproof.

## Layout

- \`keys/<FINGERPRINT>.asc\` — the collector's public keys; \`keys/keys.yaml\` gives each key's
  validity window (\`valid_from\` inclusive, \`valid_until\` exclusive). A key that was rotated out
  keeps verifying what it signed inside its window.
- \`hosts/<host-id>/host.yaml\` — identity recorded at enrolment; \`meta.yaml\` — owner, scope (edited by people).
- \`hosts/<host-id>/packages.tsv\` — current package inventory; \`git log -p\` on it is the package history.
- \`hosts/<host-id>/reports/YYYY/MM/DD/<HHMMSS>Z-<seq>.json\` (+ \`.json.asc\`) — signed report envelopes.
  Each envelope's \`previous\` is the sha256 of the host's previous envelope file, and \`seq\` counts
  from 1 without gaps: a deleted, reordered or missing report breaks the chain.
- \`exceptions/EXC-nnnn.yaml\` — approved risk acceptances.
- \`audit/YYYY/MM.jsonl\` — append-only audit log; each line's \`prev\` is the sha256 of the line before.

## Verify with stock tools

\`\`\`sh
# 1. A throw-away keyring holding only this repository's keys
export GNUPGHOME="$(mktemp -d)"
git clone <this repository> evidence && cd evidence
gpg --import keys/*.asc

# 2. The repository is intact
git fsck --full --strict

# 3. Every commit is signed by a collector key ("Good signature"; gpg's "not certified with a
#    trusted signature" warning only means you have not certified the key yourself)
git log --format=%H | while read c; do git verify-commit "$c" || echo "BAD COMMIT $c"; done

# 4. Every evidence file matches its signature
find hosts -name '*.json' | while read f; do gpg --verify "$f.asc" "$f" 2>/dev/null || echo "BAD $f"; done

# 5. Per-host chain: previous = sha256 of the previous report file
sha256sum hosts/<host-id>/reports/*/*/*/*.json
\`\`\`

Check that each signature's date falls inside its key's window in \`keys/keys.yaml\`, and that the
fingerprints you imported are the ones the organisation published. \`patchproof verify --repo DIR\`
runs all of these checks (and the chain and history checks) in one go.
`;
}
