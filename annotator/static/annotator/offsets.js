// Offsets: the server counts Unicode code points into the body; the DOM counts
// UTF-16 code units. Everything that crosses between them goes through here.

export function codePointLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export function utf16ToCodePoints(text, units) {
  return codePointLength(text.slice(0, units));
}

export function codePointsToUtf16(text, codePoints) {
  let units = 0;
  let seen = 0;
  for (const character of text) {
    if (seen === codePoints) break;
    units += character.length;
    seen += 1;
  }
  return units;
}

// Split one paragraph [start, end) into runs covered by the same annotations,
// so overlapping and nested spans become nested elements without crossing.
export function segments(paragraphStart, paragraphLength, annotations) {
  const paragraphEnd = paragraphStart + paragraphLength;
  const inside = annotations.filter((a) => a.start < paragraphEnd && a.end > paragraphStart);
  const cuts = new Set([0, paragraphLength]);
  for (const a of inside) {
    cuts.add(Math.max(0, a.start - paragraphStart));
    cuts.add(Math.min(paragraphLength, a.end - paragraphStart));
  }
  const sorted = [...cuts].sort((x, y) => x - y);
  const runs = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const from = sorted[i];
    const to = sorted[i + 1];
    const covering = inside.filter(
      (a) => a.start < paragraphStart + to && a.end > paragraphStart + from,
    );
    runs.push({ from, to, covering });
  }
  return runs;
}

// The sentence holding [start, end) in an array of code points: from after the
// previous sentence end (. ! ? possibly followed by a closing quote) or line
// break, to the next one.
const CLOSERS = new Set(["\"", "”", "’", "'", ")"]);
const ENDERS = new Set([".", "!", "?"]);

function endsSentence(characters, index) {
  let i = index;
  while (i >= 0 && CLOSERS.has(characters[i])) i -= 1;
  return i >= 0 && ENDERS.has(characters[i]);
}

export function sentenceAround(characters, start, end) {
  let from = start;
  while (from > 0 && characters[from - 1] !== "\n" && !(/\s/u.test(characters[from - 1]) && endsSentence(characters, from - 2))) {
    from -= 1;
  }
  let to = Math.max(end, start + 1);
  while (to < characters.length && characters[to] !== "\n" && !(/\s/u.test(characters[to]) && endsSentence(characters, to - 1))) {
    to += 1;
  }
  return { start: from, end: to };
}
