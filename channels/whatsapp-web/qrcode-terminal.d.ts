/** qrcode-terminal ships no types; this is the one function Switchboard calls. */
declare module "qrcode-terminal" {
  interface QrcodeTerminal {
    generate(input: string, options: { small?: boolean }, callback: (rendered: string) => void): void;
  }
  const qrcodeTerminal: QrcodeTerminal;
  export default qrcodeTerminal;
}
