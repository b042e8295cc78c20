// whatsapp-web.js depends on puppeteer; we drive the system Chromium, so never download a browser.
module.exports = { skipDownload: true };
