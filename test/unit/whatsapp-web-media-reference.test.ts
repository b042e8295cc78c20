/** Which attachment URLs the WhatsApp Web channel vouches for, and the media type it records before a download. */
import { describe, expect, it } from "vitest";
import { announcedContentType, messageReference, parseMediaReference } from "../../channels/whatsapp-web/attachments.js";
import { incoming } from "../fakes/whatsapp-web-client.js";

const PREFIX = "https://support.example.com/admin/channels/wweb/media";
const NAME = `${"a".repeat(64)}.jpg`;

describe("WhatsApp Web media references", () => {
  it("reads back the references the channel issues", () => {
    const id = "false_15551234567@c.us_3A0000000000000000AB";
    expect(parseMediaReference(messageReference(id), PREFIX)).toEqual({ kind: "message", messageId: id });
    expect(parseMediaReference(messageReference("false_123456789012345@lid_3EB0ABCDEF"), PREFIX)).toMatchObject({ kind: "message" });
    expect(parseMediaReference(`${PREFIX}/${NAME}`, PREFIX)).toEqual({ kind: "stored", name: NAME });
  });

  it("refuses group, malformed and foreign references", () => {
    for (const url of [
      messageReference("false_120363000000000000@g.us_3A00000000000001"),
      messageReference("false_15551234567@c.us_3A00/../../x"),
      messageReference(""),
      `${PREFIX}/../${NAME}`,
      `${PREFIX}/${NAME}?x=1`,
      `${PREFIX}x/${NAME}`,
      `https://evil.example.com/admin/channels/wweb/media/${NAME}`,
      "whatsapp-web://other/false_15551234567@c.us_3A0000000000000000AB",
    ]) {
      expect(parseMediaReference(url, PREFIX), url).toBeUndefined();
    }
  });

  it("takes the media type from the raw message data, else from the message type", () => {
    const withType = (type: string) => ({ ...incoming({ type }), _data: {} });
    expect(announcedContentType(incoming({ media: { mimetype: "application/pdf", data: "" }, type: "document" }))).toBe("application/pdf");
    expect(announcedContentType(withType("ptt"))).toBe("audio/ogg");
    expect(announcedContentType(withType("sticker"))).toBe("image/webp");
    expect(announcedContentType(withType("image"))).toBe("image/jpeg");
    expect(announcedContentType(withType("document"))).toBe("application/octet-stream");
  });
});
