/**
 * One-typo matching for a rule's key words ("humen", "agnet", "represntative"): a word of the message
 * within one edit (insert, delete, substitute, swap two neighbours) of a key word is read as that key
 * word. Short words and real words that are one edit away ("managed", "humane", "persona") are left alone.
 */
const MIN_LENGTH = 5;
const REAL_WORDS: ReadonlySet<string> = new Set([
  "managed", "manages", "humane", "agency", "parson", "operate", "operated", "operates", "somehow", "humor",
  // Spanish and French words one edit from an English key word.
  "persona", "personas", "agente", "agentes", "humano", "humanos", "humain", "humains", "operador", "operadores",
]);

function withinOneEdit(word: string, target: string): boolean {
  if (word === target) return true;
  const lengthGap = word.length - target.length;
  if (Math.abs(lengthGap) > 1) return false;
  let i = 0;
  while (i < word.length && i < target.length && word[i] === target[i]) i += 1;
  if (lengthGap === 0) {
    if (word.slice(i + 1) === target.slice(i + 1)) return true;
    return word[i] === target[i + 1] && word[i + 1] === target[i] && word.slice(i + 2) === target.slice(i + 2);
  }
  return lengthGap > 0 ? word.slice(i + 1) === target.slice(i) : word.slice(i) === target.slice(i + 1);
}

/** The text with every near-miss of a key word replaced by the key word (the text is folded, lower case). */
export function correctKeyWords(text: string, keyWords: readonly string[]): string {
  if (keyWords.length === 0) return text;
  return text.replace(/\p{L}+/gu, (word) => {
    if (word.length < MIN_LENGTH - 1 || REAL_WORDS.has(word) || keyWords.includes(word)) return word;
    const target = keyWords.find((key) => key.length >= MIN_LENGTH && withinOneEdit(word, key));
    return target ?? word;
  });
}
