/**
 * The desk reference of a Slack escalation: `channel/ts` of the post (stored on the escalation by the
 * core). Thread replies carry the same pair (`channel`, `thread_ts`), which is how a reply finds its
 * conversation.
 */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const MESSAGE_TS = /^\d{1,12}\.\d{1,9}$/;

export interface SlackPostRef {
  channel: string;
  ts: string;
}

export function encodeDeskRef(ref: SlackPostRef): string {
  return `${ref.channel}/${ref.ts}`;
}

/** The post behind a desk reference, or undefined for anything that is not a Slack reference. */
export function decodeDeskRef(deskRef: string | undefined): SlackPostRef | undefined {
  if (!deskRef) return undefined;
  const [channel, ts, ...rest] = deskRef.split("/");
  if (rest.length > 0 || !channel || !ts || !CHANNEL_ID.test(channel) || !MESSAGE_TS.test(ts)) return undefined;
  return { channel, ts };
}

export function isSlackChannelId(value: string): boolean {
  return CHANNEL_ID.test(value);
}

export function isSlackTs(value: string): boolean {
  return MESSAGE_TS.test(value);
}
