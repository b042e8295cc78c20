/**
 * The few Block Kit shapes the desk posts, and Slack's size limits: a section's text is at most 3,000
 * characters, a message at most 50 blocks, a message's `text` at most 40,000 characters, a header 150,
 * a button value 2,000. Long content is split to fit instead of being refused by Slack.
 */

export const SLACK_LIMITS = {
  sectionText: 3_000,
  blocksPerMessage: 50,
  messageText: 40_000,
  headerText: 150,
  contextElementText: 3_000,
  fieldText: 2_000,
  buttonText: 75,
  buttonValue: 2_000,
} as const;

export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
  emoji?: boolean;
}

export interface ButtonElement {
  type: "button";
  action_id: string;
  text: TextObject;
  value: string;
  style?: "primary" | "danger";
}

export type SlackBlock =
  | { type: "header"; block_id?: string; text: TextObject }
  | { type: "section"; block_id?: string; text?: TextObject; fields?: TextObject[] }
  | { type: "context"; block_id?: string; elements: TextObject[] }
  | { type: "actions"; block_id?: string; elements: ButtonElement[] }
  | { type: "divider"; block_id?: string };

/** A message ready for `chat.postMessage` / `chat.update`: blocks plus the notification text. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export const mrkdwn = (text: string): TextObject => ({ type: "mrkdwn", text });
export const plain = (text: string): TextObject => ({ type: "plain_text", text, emoji: true });

export function section(text: string, blockId?: string): SlackBlock {
  return { type: "section", ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(text) };
}

export function context(text: string, blockId?: string): SlackBlock {
  return { type: "context", ...(blockId ? { block_id: blockId } : {}), elements: [mrkdwn(text)] };
}

/**
 * Split text into pieces of at most `max` characters, preferring paragraph, then line, then word
 * boundaries, and never splitting a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError("splitText needs a limit of at least 2 characters");
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf("\n\n"), window.lastIndexOf("\n"));
    if (cut < max / 2) cut = window.lastIndexOf(" ");
    if (cut < max / 2) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Sections for a long mrkdwn text: each within the section limit. */
export function sectionsFor(text: string, limit: number = SLACK_LIMITS.sectionText): SlackBlock[] {
  return splitText(text, limit).map((piece) => section(piece));
}

function blockChars(block: SlackBlock): number {
  switch (block.type) {
    case "header":
      return block.text.text.length;
    case "section":
      return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((sum, field) => sum + field.text.length, 0);
    case "context":
      return block.elements.reduce((sum, element) => sum + element.text.length, 0);
    default:
      return 0;
  }
}

/**
 * Pack blocks into as many messages as needed: at most `maxBlocks` blocks and `maxChars` characters of
 * block text per message (Slack counts the blocks; we also keep the plain-text fallback under its limit).
 * `textFor(part, parts)` writes each message's notification text.
 */
export function packMessages(
  blocks: readonly SlackBlock[],
  textFor: (part: number, parts: number) => string,
  limits: { maxBlocks?: number; maxChars?: number } = {},
): SlackMessage[] {
  const maxBlocks = limits.maxBlocks ?? SLACK_LIMITS.blocksPerMessage;
  const maxChars = limits.maxChars ?? SLACK_LIMITS.messageText;
  const groups: SlackBlock[][] = [];
  let current: SlackBlock[] = [];
  let chars = 0;
  for (const block of blocks) {
    const size = blockChars(block);
    if (current.length > 0 && (current.length + 1 > maxBlocks || chars + size > maxChars)) {
      groups.push(current);
      current = [];
      chars = 0;
    }
    current.push(block);
    chars += size;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group, index) => ({ text: truncateText(textFor(index + 1, groups.length)), blocks: group }));
}

function truncateText(text: string): string {
  return text.length <= SLACK_LIMITS.messageText ? text : `${text.slice(0, SLACK_LIMITS.messageText - 1)}…`;
}
