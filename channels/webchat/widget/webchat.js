/* Switchboard web chat widget: one script tag, vanilla JS, no build step.
 *   <script src="https://support.example.com/webchat.js" defer
 *           data-server="https://support.example.com"   (optional: defaults to this script's origin)
 *           data-mount="#chat"                           (optional: render inline in that element)
 *           data-customer-token="..."                    (optional: the signed-in customer, from your site)
 *           data-launcher-label="Chat with us"           (optional: the launcher button's text)
 *           data-open="true"></script>                   (optional: start open)
 * The protocol is documented in channels/webchat/PROTOCOL.md. Styles live in a shadow root. */
(function () {
  "use strict";
  var CSS = "__WEBCHAT_CSS__";
  var script = document.currentScript;
  if (!script || window.__switchboardWebchat) return;
  window.__switchboardWebchat = true;

  var data = script.dataset || {};
  var server = (data.server || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var LAUNCHER_TEXT = data.launcherLabel || "Chat with us";
  var storeKey = "switchboard.webchat:" + server;
  var mountTarget = data.mount ? document.querySelector(data.mount) : null;
  var customerToken = data.customerToken || null;

  var BANNERS = {
    awaiting_human: "Waiting for a person to join. You can keep writing here.",
    human: "{name} has joined the conversation.",
    resolved: "This conversation is resolved. Write again any time.",
  };
  var config = { title: "Support", greeting: "", humanButtonLabel: "Talk to a human", humanRequestText: "I'd like to talk to a person", maxTextChars: 4000 };
  var state = { token: null, socket: null, attempt: 0, ready: false, connecting: false, open: false, conversationState: "ai", lastAcked: 0, unread: 0 };
  var shown = new Map(); // seq -> element
  var pending = new Map(); // client id -> { frame, el }
  var typingTimer = null, typingSent = false, typingIdle = null, reconnectTimer = null;

  // ---- DOM ---------------------------------------------------------------------------------------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") el.textContent = attrs[key];
      else if (key.indexOf("on") === 0) el.addEventListener(key.slice(2), attrs[key]);
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) el.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) el.appendChild(child); });
    return el;
  }

  var host = document.createElement("switchboard-webchat");
  var root = host.attachShadow({ mode: "open" });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet]; // not subject to a host page's style-src CSP
  } catch (_e) {
    root.appendChild(h("style", { text: CSS }));
  }

  var ui = {};
  ui.badge = h("span", { class: "sbw-badge", hidden: true, "aria-hidden": "true" });
  ui.launcher = h("button", { type: "button", class: "sbw-launcher", "aria-expanded": "false", "aria-controls": "sbw-panel", onclick: function () { setOpen(true); } },
    [h("span", { class: "sbw-launcher-text", text: LAUNCHER_TEXT }), ui.badge]);
  ui.title = h("h2", { class: "sbw-title", id: "sbw-title", text: config.title });
  ui.close = h("button", { type: "button", class: "sbw-close", "aria-label": "Close chat", text: "\u00d7", onclick: function () { setOpen(false); } });
  ui.banner = h("p", { class: "sbw-banner", role: "status", hidden: true });
  ui.connection = h("p", { class: "sbw-connection", role: "status", hidden: true });
  ui.greeting = h("p", { class: "sbw-greeting" });
  ui.log = h("div", { class: "sbw-log", role: "log", "aria-live": "polite", "aria-labelledby": "sbw-title", tabindex: "0" }, [ui.greeting]);
  ui.typing = h("p", { class: "sbw-typing", "aria-live": "polite" });
  ui.input = h("textarea", { id: "sbw-input", class: "sbw-input", rows: "2", "aria-describedby": "sbw-hint sbw-counter", autocomplete: "off", oninput: onInput, onkeydown: onInputKey });
  // Read with the textarea (aria-describedby), not announced on every keystroke.
  ui.counter = h("p", { id: "sbw-counter", class: "sbw-counter" });
  ui.send = h("button", { type: "submit", class: "sbw-send", text: "Send" });
  ui.human = h("button", { type: "button", class: "sbw-human", text: config.humanButtonLabel, onclick: askForHuman });
  ui.form = h("form", { class: "sbw-form", onsubmit: onSubmit }, [
    h("label", { class: "sbw-label", for: "sbw-input", text: "Your message" }),
    ui.input,
    h("div", { class: "sbw-row" }, [h("p", { id: "sbw-hint", class: "sbw-hint", text: "Enter to send, Shift+Enter for a new line" }), ui.counter]),
    h("div", { class: "sbw-row" }, [ui.human, h("div", { class: "sbw-buttons" }, [ui.send])]),
  ]);
  ui.panel = h("section", { id: "sbw-panel", class: "sbw-panel" + (mountTarget ? " sbw-inline" : ""), role: mountTarget ? "region" : "dialog", "aria-labelledby": "sbw-title", hidden: !mountTarget, onkeydown: onPanelKey },
    [h("header", { class: "sbw-header" }, [ui.title, mountTarget ? null : ui.close]), ui.banner, ui.connection, ui.log, ui.typing, ui.form]);
  if (!mountTarget) root.appendChild(ui.launcher);
  root.appendChild(ui.panel);
  (mountTarget || document.body).appendChild(host);

  function setOpen(open, quiet) {
    if (mountTarget) return;
    state.open = open;
    ui.panel.hidden = !open;
    ui.launcher.hidden = open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    try { sessionStorage.setItem(storeKey + ":open", open ? "1" : "0"); } catch (_e) { /* storage may be blocked */ }
    if (open) {
      state.unread = 0;
      renderBadge();
      if (!quiet) ui.input.focus();
      scrollToEnd();
      if (!state.socket && !state.connecting) connect();
    } else if (!quiet) {
      ui.launcher.focus();
    }
  }
  function onPanelKey(event) {
    if (event.key === "Escape" && !mountTarget) { event.preventDefault(); setOpen(false); }
  }
  function renderBadge() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = String(state.unread);
    ui.launcher.setAttribute("aria-label", LAUNCHER_TEXT + (state.unread ? ", " + state.unread + " new" : ""));
  }
  function scrollToEnd() { ui.log.scrollTop = ui.log.scrollHeight; }
  function setConnection(text) { ui.connection.hidden = !text; ui.connection.textContent = text || ""; }
  function setBanner(conversationState, agentName) {
    state.conversationState = conversationState;
    var text = BANNERS[conversationState];
    ui.banner.hidden = !text;
    ui.banner.dataset.state = conversationState;
    ui.banner.textContent = text ? text.replace("{name}", agentName || "A person") : "";
  }
  function applyConfig(widget) {
    Object.keys(widget || {}).forEach(function (key) { config[key] = widget[key]; });
    ui.title.textContent = config.title;
    ui.greeting.textContent = config.greeting;
    ui.greeting.hidden = !config.greeting;
    ui.human.textContent = config.humanButtonLabel;
  }

  // ---- Messages ------------------------------------------------------------------------------------
  function chars(text) { return Array.from(text).length; }
  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "c" + Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function authorLabel(message) {
    if (message.author === "customer") return "You";
    if (message.author === "system") return config.title;
    return message.authorName || (message.author === "agent" ? "Support agent" : "Assistant");
  }
  function buildMessage(message) {
    var el = h("div", { class: "sbw-msg sbw-msg--" + message.author }, [
      h("span", { class: "sbw-author", text: authorLabel(message) }),
      h("p", { class: "sbw-bubble", text: message.text }),
      h("span", { class: "sbw-meta" }),
    ]);
    if (message.seq) el.dataset.seq = String(message.seq);
    if (message.actions && message.actions.length) {
      el.appendChild(h("div", { class: "sbw-quick", role: "group", "aria-label": "Quick replies" }, message.actions.map(function (action) {
        return h("button", { type: "button", "aria-pressed": "false", "data-value": action.value, text: action.label, onclick: function (event) { chooseAction(message.seq, action, event.currentTarget); } });
      })));
    }
    return el;
  }
  function setMeta(el, status, text) {
    el.dataset.status = status;
    el.querySelector(".sbw-meta").textContent = text || "";
  }
  /** Insert in seq order; messages still being sent stay at the end. */
  function placeBySeq(el, seq) {
    var children = ui.log.children;
    for (var i = children.length - 1; i >= 0; i -= 1) {
      var other = Number(children[i].dataset.seq || 0);
      if (other && other < seq) { children[i].after(el); return; }
      if (children[i] === ui.greeting) break;
    }
    ui.greeting.after(el);
  }
  function showMessage(message, live) {
    if (shown.has(message.seq)) return;
    var mine = message.clientId && pending.get(message.clientId);
    var el = mine ? mine.el : buildMessage(message);
    if (mine) { pending.delete(message.clientId); el.dataset.seq = String(message.seq); setMeta(el, "sent", ""); }
    shown.set(message.seq, el);
    placeBySeq(el, message.seq);
    refreshQuickReplies();
    if (live && message.author !== "customer" && !state.open && !mountTarget) { state.unread += 1; renderBadge(); }
    scrollToEnd();
  }
  /** Quick replies stay usable only on the newest message that offers them, until the customer answers. */
  function refreshQuickReplies() {
    var seqs = Array.from(shown.keys()).sort(function (a, b) { return a - b; });
    var lastCustomer = 0, lastOffer = 0;
    seqs.forEach(function (seq) {
      var el = shown.get(seq);
      if (el.classList.contains("sbw-msg--customer")) lastCustomer = seq;
      if (el.querySelector(".sbw-quick")) lastOffer = seq;
    });
    shown.forEach(function (el, seq) {
      el.querySelectorAll(".sbw-quick button").forEach(function (button) {
        button.disabled = seq !== lastOffer || lastCustomer > lastOffer;
      });
    });
  }
  function acknowledge() {
    var highest = 0;
    shown.forEach(function (el, seq) { if (!el.classList.contains("sbw-msg--customer") && seq > highest) highest = seq; });
    if (highest > state.lastAcked && send({ type: "ack", seq: highest })) state.lastAcked = highest;
  }

  // ---- Sending -------------------------------------------------------------------------------------
  function send(frame) {
    if (!state.ready || !state.socket || state.socket.readyState !== 1) return false;
    state.socket.send(JSON.stringify(frame));
    return true;
  }
  function queue(frame, el) {
    pending.set(frame.id, { frame: frame, el: el });
    if (el) { setMeta(el, "sending", "Sending\u2026"); ui.log.appendChild(el); scrollToEnd(); }
    if (!send(frame)) { if (el) setMeta(el, "sending", "Waiting for connection\u2026"); if (!state.socket && !state.connecting) connect(); }
  }
  function sendText(text, intent) {
    var id = clientId();
    var frame = { type: "message", id: id, text: text };
    if (intent) frame.intent = intent;
    queue(frame, buildMessage({ author: "customer", text: text }));
  }
  function onSubmit(event) {
    event.preventDefault();
    var text = ui.input.value.trim();
    if (!text || chars(text) > config.maxTextChars) return;
    sendText(text);
    ui.input.value = "";
    onInput();
    stopTyping();
  }
  function askForHuman() { sendText(config.humanRequestText, "human"); }
  function chooseAction(forSeq, action, button) {
    button.parentNode.querySelectorAll("button").forEach(function (other) { other.disabled = true; });
    button.setAttribute("aria-pressed", "true");
    queue({ type: "action", id: clientId(), forSeq: forSeq, value: action.value }, buildMessage({ author: "customer", text: action.label }));
  }
  function onInputKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); ui.form.requestSubmit(); }
  }
  function onInput() {
    var count = chars(ui.input.value);
    var near = count >= config.maxTextChars * 0.9;
    var over = count > config.maxTextChars;
    ui.counter.hidden = !near;
    ui.counter.textContent = near ? count.toLocaleString() + " / " + config.maxTextChars.toLocaleString() + " characters" : "";
    ui.counter.dataset.over = String(over);
    ui.input.setAttribute("aria-invalid", String(over));
    ui.send.disabled = over;
    if (ui.input.value.trim()) startTyping(); else stopTyping();
  }
  function startTyping() {
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, 3000);
    if (!typingSent && state.conversationId && send({ type: "typing", on: true })) typingSent = true;
  }
  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingSent) { typingSent = false; send({ type: "typing", on: false }); }
  }

  // ---- Connection ----------------------------------------------------------------------------------
  function loadToken() { try { return localStorage.getItem(storeKey); } catch (_e) { return null; } }
  function saveToken(token) { try { localStorage.setItem(storeKey, token); } catch (_e) { /* private mode */ } }

  function openSession() {
    var body = {};
    var previous = state.token || loadToken();
    if (previous) body.sessionToken = previous;
    if (customerToken) body.customerToken = customerToken;
    return fetch(server + "/webchat/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.status === 401 && customerToken) {
            console.warn("Switchboard web chat: the customer token was refused; chatting as a guest.");
            customerToken = null;
            return openSession();
          }
          if (!response.ok) throw new Error(json.message || "session refused (" + response.status + ")");
          state.token = json.sessionToken;
          saveToken(json.sessionToken);
          applyConfig(json.widget);
        });
      });
  }
  function connect() {
    state.connecting = true;
    setConnection(state.attempt ? "Reconnecting\u2026" : "");
    openSession().then(openSocket, function () { state.connecting = false; scheduleReconnect(); });
  }
  function openSocket() {
    var socket = new WebSocket(server.replace(/^http/, "ws") + "/webchat/ws");
    state.socket = socket;
    socket.onopen = function () { socket.send(JSON.stringify({ type: "auth", token: state.token })); };
    socket.onmessage = function (event) { var frame; try { frame = JSON.parse(event.data); } catch (_e) { return; } onFrame(frame); };
    socket.onclose = function (event) {
      if (state.socket !== socket) return;
      state.socket = null; state.ready = false; state.connecting = false;
      if (event.code === 4401) { state.attempt = 0; connect(); return; } // session expired: renew and resume
      if (event.code === 1008 || event.code === 4429) { setConnection(event.reason || "Disconnected."); scheduleReconnect(30000); return; }
      setConnection("Connection lost. Reconnecting\u2026");
      scheduleReconnect();
    };
  }
  function scheduleReconnect(fixedDelay) {
    clearTimeout(reconnectTimer);
    state.attempt += 1;
    var delay = fixedDelay || Math.min(30000, 1000 * Math.pow(2, state.attempt - 1)) * (0.75 + Math.random() * 0.5);
    reconnectTimer = setTimeout(connect, delay);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "ready":
        state.ready = true; state.connecting = false; state.attempt = 0;
        state.conversationId = frame.conversationId;
        if (frame.maxTextChars) config.maxTextChars = frame.maxTextChars;
        setConnection("");
        setBanner(frame.state);
        frame.history.forEach(function (message) { showMessage(message, false); });
        acknowledge();
        pending.forEach(function (item) { send(item.frame); if (item.el) setMeta(item.el, "sending", "Sending\u2026"); });
        break;
      case "message":
        showMessage(frame.message, true);
        if (frame.message.author !== "customer") { ui.typing.textContent = ""; acknowledge(); }
        break;
      case "receipt":
        state.conversationId = frame.conversationId;
        var item = pending.get(frame.id);
        if (item) {
          pending.delete(frame.id);
          if (item.el && !shown.has(frame.seq)) { item.el.dataset.seq = String(frame.seq); shown.set(frame.seq, item.el); placeBySeq(item.el, frame.seq); }
          if (item.el) setMeta(item.el, "sent", "");
          refreshQuickReplies();
        }
        break;
      case "state":
        setBanner(frame.state, frame.agentName);
        break;
      case "typing":
        clearTimeout(typingTimer);
        ui.typing.textContent = frame.on ? (frame.name || (frame.author === "agent" ? "An agent" : config.assistantName || "Assistant")) + " is typing\u2026" : "";
        if (frame.on) typingTimer = setTimeout(function () { ui.typing.textContent = ""; }, 15000);
        break;
      case "error":
        onError(frame);
        break;
    }
  }
  function onError(frame) {
    var item = frame.id && pending.get(frame.id);
    if (!item) return;
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      if (item.el) setMeta(item.el, "sending", "Not sent yet, retrying\u2026");
      setTimeout(function () { if (pending.has(frame.id)) send(item.frame); }, Math.max(1000, frame.retryAfterMs || 2000));
      return;
    }
    pending.delete(frame.id);
    if (item.el) setMeta(item.el, "failed", "Not sent: " + frame.message);
  }

  applyConfig({});
  var wasOpen = false;
  try { wasOpen = sessionStorage.getItem(storeKey + ":open") === "1"; } catch (_e) { /* blocked */ }
  if (mountTarget) connect();
  else if (data.open === "true" || wasOpen) setOpen(true, true); // restored, not asked for: leave focus where it is
  else if (loadToken()) connect();
})();
