/*
 * Mesotherapy assistant: website chat widget.
 * Embed:   <script src="https://your-rasa-server/widget/widget.js"></script>
 * Options: window.MesoWidgetConfig = {serverUrl, title, primaryColor, greeting, labels: {...},
 *          position: "right" | "left", historyHours}  (set it before the script tag).
 * The chat is kept in the browser's localStorage (to survive a reload) for historyHours (24) after
 * its last message, then forgotten; "New conversation" forgets it at once.
 * Talks to the Rasa server's socket.io channel (connectors/socketio.py). Message text is only
 * ever put into the page with textContent / text nodes; links (http/https) and **bold** are
 * built as DOM nodes.
 */
(function () {
  "use strict";
  if (window.MesoWidget) return; // loaded twice

  var script = document.currentScript;
  var scriptOrigin = "";
  try { scriptOrigin = new URL(script.src, window.location.href).origin; } catch (e) { scriptOrigin = window.location.origin; }

  var userConfig = window.MesoWidgetConfig || {};
  var defaultLabels = {
    open: "Open the chat with the mesotherapy assistant",
    close: "Close the chat",
    newConversation: "New conversation",
    newConversationAria: "Start a new conversation (clears this one)",
    inputPlaceholder: "Type your question…",
    inputAria: "Your message",
    send: "Send",
    sendAria: "Send the message",
    typing: "The assistant is typing…",
    unreachable: "The assistant is unreachable right now. Trying to reconnect…",
    reconnected: "Reconnected.",
    noAnswer: "No answer yet. Please try again in a moment.",
    messages: "Conversation",
    you: "You",
    assistant: "Assistant"
  };
  var labels = {};
  var key;
  for (key in defaultLabels) labels[key] = defaultLabels[key];
  if (userConfig.labels && typeof userConfig.labels === "object") {
    for (key in userConfig.labels) if (typeof userConfig.labels[key] === "string") labels[key] = userConfig.labels[key];
  }
  var config = {
    serverUrl: String(userConfig.serverUrl || scriptOrigin).replace(/\/+$/, ""),
    title: typeof userConfig.title === "string" ? userConfig.title : "Mesotherapy assistant",
    primaryColor: typeof userConfig.primaryColor === "string" ? userConfig.primaryColor : "#2f6f73",
    greeting: typeof userConfig.greeting === "string" ? userConfig.greeting : "/greet",
    position: userConfig.position === "left" ? "left" : "right",
    historyHours: typeof userConfig.historyHours === "number" && userConfig.historyHours > 0 ? userConfig.historyHours : 24
  };

  var STORE = "mesoWidget." + config.serverUrl + ".";
  var HISTORY_LIMIT = 200;
  var ANSWER_TIMEOUT_MS = 30000;

  function load(name, fallback) {
    try { var v = window.localStorage.getItem(STORE + name); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
  }
  function save(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(STORE + name);
      else window.localStorage.setItem(STORE + name, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: the conversation just won't survive a reload */ }
  }
  function loadOpen() { try { return window.sessionStorage.getItem(STORE + "open") === "1"; } catch (e) { return false; } }
  function saveOpen(open) { try { window.sessionStorage.setItem(STORE + "open", open ? "1" : "0"); } catch (e) { /* ignore */ } }

  // A chat whose last message is older than historyHours is forgotten (it may hold health details).
  var savedAt = load("savedAt", 0);
  if (typeof savedAt !== "number" || Date.now() - savedAt > config.historyHours * 3600 * 1000) {
    save("history", null);
    save("sessionId", null);
    save("savedAt", null);
  }

  var state = {
    sessionId: load("sessionId", null),
    history: load("history", []),
    socket: null,
    confirmed: false,
    queue: [],
    wasDisconnected: false,
    open: false,
    answerTimer: null,
    greetPending: false
  };
  if (!Array.isArray(state.history)) state.history = [];

  /* ---------- DOM ---------- */

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (attrs) for (var name in attrs) node.setAttribute(name, attrs[name]);
    return node;
  }

  var css = el("link", null, { rel: "stylesheet", href: config.serverUrl + "/widget/widget.css" });
  document.head.appendChild(css);

  var root = el("div", "meso-widget meso-" + config.position, { "data-meso-widget": "" });
  root.style.setProperty("--meso-primary", config.primaryColor);

  var launcher = el("button", "meso-launcher", {
    type: "button", "aria-label": labels.open, "aria-expanded": "false", "aria-controls": "meso-panel"
  });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  var panel = el("div", "meso-panel", { id: "meso-panel", role: "dialog", "aria-modal": "false" });
  panel.hidden = true;

  var header = el("div", "meso-header");
  var titleEl = el("h2", "meso-title", { id: "meso-title" });
  titleEl.textContent = config.title;
  panel.setAttribute("aria-labelledby", "meso-title");
  var newButton = el("button", "meso-new", { type: "button", "aria-label": labels.newConversationAria });
  newButton.textContent = labels.newConversation;
  var closeButton = el("button", "meso-close", { type: "button", "aria-label": labels.close });
  closeButton.innerHTML = '<span aria-hidden="true">\u00d7</span>';
  header.appendChild(titleEl);
  header.appendChild(newButton);
  header.appendChild(closeButton);

  var log = el("div", "meso-log", { role: "log", "aria-live": "polite", "aria-label": labels.messages, tabindex: "0" });
  var typing = el("div", "meso-typing", { role: "status" });
  typing.hidden = true;
  var typingText = el("span", "meso-visually-hidden");
  typingText.textContent = labels.typing;
  typing.appendChild(typingText);
  for (var d = 0; d < 3; d++) typing.appendChild(el("span", "meso-dot", { "aria-hidden": "true" }));

  var form = el("form", "meso-form");
  var inputLabel = el("label", "meso-visually-hidden", { "for": "meso-input" });
  inputLabel.textContent = labels.inputAria;
  var input = el("input", "meso-input", {
    id: "meso-input", type: "text", autocomplete: "off", maxlength: "1000",
    placeholder: labels.inputPlaceholder, "aria-label": labels.inputAria
  });
  var sendButton = el("button", "meso-send", { type: "submit", "aria-label": labels.sendAria });
  sendButton.textContent = labels.send;
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  /* ---------- rendering (text only, never innerHTML of message content) ---------- */

  var TOKENS = /(\*\*([^*\n]+?)\*\*)|(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])/g;

  function appendRichText(parent, text) {
    text = String(text == null ? "" : text);
    var last = 0;
    var match;
    TOKENS.lastIndex = 0;
    while ((match = TOKENS.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        var strong = document.createElement("strong");
        strong.textContent = match[2];
        parent.appendChild(strong);
      } else {
        parent.appendChild(safeLink(match[3]));
      }
      last = TOKENS.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function safeLink(href) {
    var url = null;
    try { url = new URL(href); } catch (e) { url = null; }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return document.createTextNode(href);
    var a = document.createElement("a");
    a.href = url.href;
    a.textContent = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    return a;
  }

  function renderEntry(entry, isLast) {
    var who = entry.from === "user" ? "user" : (entry.from === "bot" ? "bot" : "system");
    var row = el("div", "meso-msg meso-msg-" + who);
    if (who !== "system") {
      var sr = el("span", "meso-visually-hidden");
      sr.textContent = (who === "user" ? labels.you : labels.assistant) + ": ";
      row.appendChild(sr);
    }
    var bubble = el("div", "meso-bubble");
    if (who === "bot") appendRichText(bubble, entry.text);
    else bubble.textContent = String(entry.text == null ? "" : entry.text);
    row.appendChild(bubble);
    log.appendChild(row);
    if (who === "bot" && isLast && Array.isArray(entry.buttons) && entry.buttons.length) {
      renderQuickReplies(entry.buttons);
    }
    return row;
  }

  function renderQuickReplies(buttons) {
    var group = el("div", "meso-quick-replies", { role: "group", "aria-label": labels.assistant });
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var button = el("button", "meso-quick-reply", { type: "button", "aria-label": b.title });
      button.textContent = b.title;
      button.addEventListener("click", function () {
        sendUserMessage(typeof b.payload === "string" ? b.payload : b.title, b.title);
      });
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  function clearQuickReplies() {
    var groups = log.querySelectorAll(".meso-quick-replies");
    for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    state.history.forEach(function (entry, i) { renderEntry(entry, i === state.history.length - 1); });
    scrollDown();
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addEntry(entry, persist) {
    if (entry.from !== "system") clearQuickReplies();
    if (persist) {
      state.history.push(entry);
      if (state.history.length > HISTORY_LIMIT) state.history = state.history.slice(-HISTORY_LIMIT);
      save("history", state.history);
      save("savedAt", Date.now());
    }
    renderEntry(entry, true);
    scrollDown();
  }

  function systemMessage(text) { addEntry({ from: "system", text: text }, false); }

  function setTyping(on) {
    typing.hidden = !on;
    if (state.answerTimer) { clearTimeout(state.answerTimer); state.answerTimer = null; }
    if (on) {
      state.answerTimer = setTimeout(function () {
        typing.hidden = true;
        if (state.socket && state.socket.connected) systemMessage(labels.noAnswer);
      }, ANSWER_TIMEOUT_MS);
    }
    if (on) scrollDown();
  }

  /* ---------- conversation ---------- */

  function emitUserMessage(payload) {
    if (state.socket && state.socket.connected && state.confirmed && state.sessionId) {
      state.socket.emit("user_uttered", { message: payload, session_id: state.sessionId });
    } else {
      state.queue.push(payload);
    }
  }

  function sendUserMessage(payload, shown) {
    payload = String(payload);
    if (!payload.trim()) return;
    addEntry({ from: "user", text: shown == null ? payload : shown }, true);
    setTyping(true);
    emitUserMessage(payload);
  }

  function sendGreeting() {
    if (!config.greeting) return;
    setTyping(true);
    emitUserMessage(config.greeting);
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    setTyping(false);
    var text = typeof data.text === "string" ? data.text : "";
    if (!text && data.attachment && data.attachment.payload && typeof data.attachment.payload.src === "string") {
      text = data.attachment.payload.src;
    }
    var buttons = [];
    var raw = Array.isArray(data.quick_replies) ? data.quick_replies : (Array.isArray(data.buttons) ? data.buttons : []);
    raw.forEach(function (b) {
      if (b && typeof b.title === "string") buttons.push({ title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title });
    });
    if (!text && !buttons.length) return;
    addEntry({ from: "bot", text: text, buttons: buttons }, true);
  }

  function onSessionConfirm(sessionId) {
    if (typeof sessionId !== "string" || !sessionId) return;
    // Session ids are issued and signed by the server (never made up here) and checked on every
    // message; one it did not sign (forged, or signed before a restart) is replaced by a new one.
    if (state.sessionId && sessionId !== state.sessionId) {
      // The server gave a different session: the old history does not belong to it.
      state.history = [];
      save("history", state.history);
      renderAll();
    }
    state.sessionId = sessionId;
    save("sessionId", sessionId);
    state.confirmed = true;
    var queued = state.queue;
    state.queue = [];
    queued.forEach(emitUserMessage);
    if (state.greetPending) { state.greetPending = false; sendGreeting(); }
  }

  function requestSession() {
    state.confirmed = false;
    state.socket.emit("session_request", { session_id: state.sessionId });
  }

  function newConversation() {
    state.history = [];
    state.sessionId = null;
    state.queue = [];
    save("history", null);
    save("sessionId", null);
    save("savedAt", null);
    setTyping(false);
    renderAll();
    state.greetPending = true;
    if (state.socket && state.socket.connected) requestSession();
    input.focus();
  }

  /* ---------- open / close ---------- */

  function openPanel() {
    if (state.open) return;
    state.open = true;
    saveOpen(true);
    panel.hidden = false;
    root.classList.add("meso-open");
    launcher.setAttribute("aria-expanded", "true");
    scrollDown();
    if (!state.history.length && !state.greetPending && typing.hidden) {
      if (state.confirmed) sendGreeting(); else state.greetPending = true;
    }
    input.focus();
  }

  function closePanel() {
    if (!state.open) return;
    state.open = false;
    saveOpen(false);
    panel.hidden = true;
    root.classList.remove("meso-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (state.open) closePanel(); else openPanel(); });
  closeButton.addEventListener("click", closePanel);
  newButton.addEventListener("click", newConversation);
  root.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && state.open) { event.preventDefault(); closePanel(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    sendUserMessage(text);
    input.focus();
  });

  /* ---------- socket ---------- */

  var ioClient = null; // our own socket.io-client v4, whatever the host page has as window.io

  function connect() {
    if (typeof ioClient !== "function") { systemMessage(labels.unreachable); return; }
    var socket = ioClient(config.serverUrl, {
      path: "/socket.io",
      transports: ["websocket", "polling"],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000
    });
    state.socket = socket;
    socket.on("connect", function () {
      root.classList.remove("meso-offline");
      if (state.wasDisconnected) { state.wasDisconnected = false; systemMessage(labels.reconnected); }
      requestSession();
    });
    socket.on("disconnect", function () {
      state.confirmed = false;
      if (!state.wasDisconnected) {
        state.wasDisconnected = true;
        root.classList.add("meso-offline");
        typing.hidden = true;
        systemMessage(labels.unreachable);
      }
    });
    socket.on("connect_error", function () {
      if (!state.wasDisconnected) {
        state.wasDisconnected = true;
        root.classList.add("meso-offline");
        systemMessage(labels.unreachable);
      }
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotMessage);
  }

  function start() {
    document.body.appendChild(root);
    renderAll();
    if (loadOpen()) openPanel();
    var hostIo = window.io;
    var hadIo = Object.prototype.hasOwnProperty.call(window, "io");
    var client = el("script", null, { src: config.serverUrl + "/widget/socket.io.min.js" });
    client.async = true;
    client.onload = function () {
      ioClient = window.io;
      if (hadIo) window.io = hostIo; else { try { delete window.io; } catch (e) { window.io = undefined; } }
      connect();
    };
    client.onerror = function () { systemMessage(labels.unreachable); };
    document.head.appendChild(client);
  }

  window.MesoWidget = { open: openPanel, close: closePanel, newConversation: newConversation, config: config };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
