// Extracts a bearer credential from an Authorization header; anything else is treated as absent.
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header.trim());
  return m?.[1];
}
