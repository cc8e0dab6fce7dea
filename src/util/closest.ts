/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `limit` candidates closest to `name`, nearest first; case-insensitive, suffix matches favoured. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl);
    if (cl.endsWith(lower) || lower.endsWith(cl)) d = Math.min(d, Math.abs(cl.length - lower.length) / 4);
    // a typo in the start of a longer name ("pach" for "patch_size"): compare with the prefixes of about its length
    if (lower.length >= 4 && cl.length > lower.length && cl[0] === lower[0]) {
      let prefix = Infinity;
      for (let n = lower.length - 1; n <= lower.length + 1; n++) prefix = Math.min(prefix, editDistance(lower, cl.slice(0, n)));
      if (prefix <= Math.floor(lower.length / 4)) d = Math.min(d, prefix + 0.5);
    }
    const threshold = Math.max(2, Math.ceil(Math.max(lower.length, cl.length) * 0.5));
    if (d <= threshold) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, limit).map(([, c]) => c);
}
