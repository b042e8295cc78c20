/**
 * Media between customers and agents. Customer attachments stay with their channel's provider and are
 * fetched only through that channel (its trusted hosts, its credentials); agents' files are kept by us
 * and handed to the customer's channel as public, signed, expiring URLs (Twilio fetches them itself).
 */
import type { Attachment } from "../domain/model.js";

export interface MediaFile {
  contentType: string;
  bytes: Buffer;
  name?: string | undefined;
}

/** The bytes of a customer's attachment, fetched by the conversation's channel adapter. */
export interface CustomerMediaSource {
  fetch(channelId: string, attachment: Attachment): Promise<MediaFile>;
}

/** Keeps a file and returns the attachment the customer's channel sends (its `url` public and signed). */
export interface MediaPublisher {
  publish(file: MediaFile): Promise<Attachment>;
}

/** What a desk needs to show customers' media to agents and send agents' files to customers. */
export interface DeskMedia {
  source: CustomerMediaSource;
  publisher: MediaPublisher;
}
