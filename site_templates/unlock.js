/* Rapport: open an encrypted dashboard page in the browser, with WebCrypto only.
   The format is generator/publish/crypto.py: PBKDF2-HMAC-SHA256 (at least 600,000 iterations)
   turns the passphrase into the key that opens the content key; AES-256-GCM with the page's
   published path as associated data opens the page, whose frame (a 4-byte length, the
   compressed bytes, zero padding up to a size bucket) is unpadded and decompressed (zlib
   format, DecompressionStream). Bytes are written as hexadecimal in SYMBOLS, sixteen
   punctuation marks, so that nothing published holds a letter to spell a name with. The
   passphrase never leaves this page; the derived key is kept in sessionStorage (this tab,
   until it closes), under a name that holds the dashboards' own folder, and read only by
   pages in that folder; never in localStorage, which every site on the same *.github.io
   host shares. Every unlocked page gets a "Lock" button that forgets the key. */
(function () {
  "use strict";

  var MIN_ITERATIONS = 600000;
  var VERSION = 3;
  var LENGTH_BYTES = 4;
  var SYMBOLS = "!#$()*+,-.:;=?@^";  // the hex digits 0-f, as in generator/publish/crypto.py
  var VALUE = new Uint8Array(256).fill(255);
  for (var digit = 0; digit < SYMBOLS.length; digit++) { VALUE[SYMBOLS.charCodeAt(digit)] = digit; }
  var KEY_AAD = "rapport dashboard key v1";
  var STORE_PREFIX = "rapport-dashboard-key:";
  var encoder = new TextEncoder();
  var DAMAGED = "This page does not decrypt: it was changed, or moved from another address, after it was built. Build and publish it again.";
  var TYPES = { csv: "text/csv;charset=utf-8", ics: "text/calendar;charset=utf-8", json: "application/json", txt: "text/plain;charset=utf-8" };

  function fail(reason, message) {
    var error = new Error(message);
    error.reason = reason;
    return error;
  }

  /* Bytes from SYMBOLS text: a lookup table over the text's UTF-8 bytes (a non-ASCII character
     makes the lengths differ; any other character maps to 255 and is caught below). */
  function decode(text) {
    if (typeof text !== "string") { throw fail("damaged", DAMAGED); }
    var codes = encoder.encode(text);
    if (codes.length !== text.length || codes.length % 2 !== 0) { throw fail("damaged", DAMAGED); }
    var bytes = new Uint8Array(codes.length >> 1);
    var bad = 0;
    for (var i = 0, j = 0; j < bytes.length; i += 2, j++) {
      var high = VALUE[codes[i]], low = VALUE[codes[i + 1]];
      bad |= high | low;
      bytes[j] = (high << 4) | low;
    }
    if (bad > 15) { throw fail("damaged", DAMAGED); }
    return bytes;
  }

  function encode(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) { out += SYMBOLS[bytes[i] >> 4] + SYMBOLS[bytes[i] & 15]; }
    return out;
  }

  /* The zlib-format bytes the page was compressed into, inflated by the browser. */
  async function inflate(bytes) {
    if (typeof DecompressionStream !== "function") {
      throw fail("old", "This browser is too old to open the page (it has no DecompressionStream); use a current Chrome, Edge, Firefox or Safari.");
    }
    try {
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (error) {
      throw fail("damaged", DAMAGED);
    }
  }

  function subtle() {
    if (!window.crypto || !window.crypto.subtle) {
      throw fail("insecure", "This browser cannot decrypt the page here: open it over https:// or from your own disk.");
    }
    return window.crypto.subtle;
  }

  function checkIterations(iterations) {
    if (typeof iterations !== "number" || Math.floor(iterations) !== iterations || iterations < MIN_ITERATIONS) {
      throw fail("iterations", "This page was sealed with " + iterations + " key-derivation iterations; at least " +
        MIN_ITERATIONS.toLocaleString("en") + " are required, so it is not opened. Build it again with Rapport.");
    }
  }

  function aesKey(raw) {
    return subtle().importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]);
  }

  /* PBKDF2-HMAC-SHA256 of the trimmed, NFC-normalised passphrase: 32 bytes. */
  async function deriveKeyBytes(passphrase, sealedKey) {
    checkIterations(sealedKey.iterations);
    var secret = encoder.encode(passphrase.trim().normalize("NFC"));
    var base = await subtle().importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
    var bits = await subtle().deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: decode(sealedKey.salt), iterations: sealedKey.iterations }, base, 256);
    return new Uint8Array(bits);
  }

  /* The AES-GCM content key, opened with the passphrase key; a wrong passphrase fails here. */
  async function openContentKey(passphraseKey, sealedKey) {
    checkIterations(sealedKey.iterations);
    var nonce = decode(sealedKey.nonce), sealed = decode(sealedKey.sealed);
    var raw;
    try {
      raw = new Uint8Array(await subtle().decrypt(
        { name: "AES-GCM", iv: nonce, additionalData: encoder.encode(KEY_AAD) }, await aesKey(passphraseKey), sealed));
    } catch (error) {
      throw fail("passphrase", "Wrong passphrase. Check it and try again.");
    }
    return aesKey(raw.slice(0, 32));
  }

  /* The compressed bytes inside a decrypted frame: a big-endian length, the bytes, padding. */
  function unpad(frame) {
    if (frame.length < LENGTH_BYTES) { throw fail("damaged", DAMAGED); }
    var length = new DataView(frame.buffer, frame.byteOffset, LENGTH_BYTES).getUint32(0, false);
    if (length > frame.length - LENGTH_BYTES) { throw fail("damaged", DAMAGED); }
    return frame.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
  }

  /* One sealed file, bound to the path it was published at: decrypted, unpadded, decompressed. */
  async function openFile(contentKey, envelope, path) {
    var frame;
    try {
      frame = new Uint8Array(await subtle().decrypt(
        { name: "AES-GCM", iv: decode(envelope.nonce), additionalData: encoder.encode(path) },
        contentKey, decode(envelope.data)));
    } catch (error) {
      throw fail("damaged", DAMAGED);
    }
    return inflate(unpad(frame));
  }

  async function decryptWithPassphrase(envelope, passphrase, path) {
    var derived = await deriveKeyBytes(passphrase, envelope.key);
    return openFile(await openContentKey(derived, envelope.key), envelope, path);
  }

  /* The published path ("dashboard/c/….html") from where this page really is, so a page
     moved to another address no longer matches the path it was sealed for. */
  function sitePath(root) {
    var folder = new URL(root || "./", window.location.href).pathname;
    var here = window.location.pathname;
    if (here.slice(-1) === "/") { here += "index.html"; }
    else if (here.slice(here.lastIndexOf("/") + 1).indexOf(".") === -1) { here += ".html"; }
    if (here.indexOf(folder) !== 0) { return ""; }
    return "dashboard/" + decodeURIComponent(here.slice(folder.length));
  }

  /* The dashboards' folder ("/rapport/dashboard/"): keys are kept per folder, so another site on
     the same host (every project site of a *.github.io account shares one) never finds this one. */
  function dashboardFolder(root) {
    return new URL(root || "./", window.location.href).pathname;
  }

  function storageName(sealedKey, root) {
    return STORE_PREFIX + dashboardFolder(root) + ":" + sealedKey.salt + ":" + sealedKey.iterations;
  }

  function remembered(sealedKey, root) {
    try {
      var value = window.sessionStorage.getItem(storageName(sealedKey, root));
      return value ? decode(value) : null;
    } catch (error) { return null; }
  }

  function remember(sealedKey, root, derived) {
    try { window.sessionStorage.setItem(storageName(sealedKey, root), encode(derived)); } catch (error) { /* blocked */ }
  }

  function forget(sealedKey, root) {
    try { window.sessionStorage.removeItem(storageName(sealedKey, root)); } catch (error) { /* blocked */ }
  }

  /* Forget every key kept for this dashboards' folder (an older passphrase's too). */
  function forgetAll(root) {
    var prefix = STORE_PREFIX + dashboardFolder(root) + ":";
    try {
      Object.keys(window.sessionStorage).forEach(function (name) {
        if (name.indexOf(prefix) === 0) { window.sessionStorage.removeItem(name); }
      });
    } catch (error) { /* blocked: nothing was kept */ }
  }

  /* A "Lock" button in the page's corner: the key is forgotten and the page asks again. */
  function addLockButton(root) {
    if (document.getElementById("rapport-lock") || !document.body) { return; }
    var button = element("button", "Lock", {
      type: "button", id: "rapport-lock", title: "Forget the dashboard key in this tab; the passphrase is asked again"
    });
    // set through the style object, which a Content-Security-Policy without 'unsafe-inline' allows
    var style = button.style;
    style.position = "fixed"; style.top = "0.5rem"; style.right = "0.5rem"; style.zIndex = "2147483647";
    style.padding = "0.35rem 0.9rem"; style.font = "600 0.95rem system-ui, sans-serif";
    style.background = "#1f2937"; style.color = "#ffffff"; style.border = "2px solid #ffffff";
    style.borderRadius = "0.4rem"; style.cursor = "pointer";
    button.addEventListener("click", function () {
      forgetAll(root);
      window.location.reload();
    });
    document.body.appendChild(button);
  }

  function whenParsed(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback, { once: true });
    } else {
      callback();
    }
  }

  function showPage(bytes, root) {
    var html = new TextDecoder("utf-8").decode(bytes);
    // the decrypted page replaces this one in place: its scripts and stylesheets load as usual,
    // and this page's Content-Security-Policy (the same as the page's own) stays in force
    document.open();
    document.write(html);
    // document.open() dropped the old listeners; this one is the new document's
    whenParsed(function () { addLockButton(root); });
    document.close();
  }

  function element(name, text, attributes) {
    var node = document.createElement(name);
    if (text) { node.textContent = text; }
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function showDownload(bytes, root) {
    var cut = bytes.indexOf(10);
    var name = new TextDecoder("utf-8").decode(bytes.subarray(0, cut));
    var extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
    var blob = new Blob([bytes.subarray(cut + 1)], { type: TYPES[extension] || "application/octet-stream" });
    var link = element("a", "Download " + name + " again", { href: URL.createObjectURL(blob), download: name, id: "rapport-download" });
    var main = document.getElementById("main");
    main.textContent = "";
    main.appendChild(element("h1", name));
    main.appendChild(element("p", "The file was decrypted in your browser and saved to your downloads."));
    main.appendChild(element("p")).appendChild(link);
    main.appendChild(element("p")).appendChild(element("a", "Back to the overview", { href: root + "index.html" }));
    addLockButton(root);
    link.click();
  }

  async function start() {
    var holder = document.getElementById("rapport-sealed");
    var form = document.getElementById("rapport-unlock");
    var status = document.getElementById("rapport-status");
    if (!holder || !form) { return; }
    var input = form.querySelector("input");
    var button = form.querySelector("button");
    var root = holder.getAttribute("data-root") || "";
    var envelope;
    var path;
    var ready = false;
    // the form never submits itself: the passphrase must not end up in an address or a request
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (ready) { unlock(); }
    });

    function say(message, bad) {
      status.textContent = message;
      status.className = bad ? "bad" : "";
    }

    async function reveal(derived) {
      var contentKey = await openContentKey(derived, envelope.key);
      remember(envelope.key, root, derived);
      var plain = await openFile(contentKey, envelope, path);
      if (envelope.kind === "download") { showDownload(plain, root); } else { showPage(plain, root); }
    }

    async function unlock() {
      button.disabled = true;
      say("Unlocking…", false);
      try {
        await reveal(await deriveKeyBytes(input.value, envelope.key));
      } catch (error) {
        say(error.reason ? error.message : "This page could not be opened: " + error, true);
        if (error.reason === "passphrase") { input.select(); }
      } finally {
        button.disabled = false;
      }
    }

    try {
      envelope = JSON.parse(holder.textContent);
      if (envelope.v !== VERSION) { throw new Error("version"); }
      checkIterations(envelope.key.iterations);
      path = sitePath(root);
      subtle();
    } catch (error) {
      say(error.reason ? error.message : "This page is not a readable Rapport dashboard page.", true);
      return;
    }

    var stored = remembered(envelope.key, root);
    if (stored) {
      try { await reveal(stored); return; } catch (error) {
        if (error.reason !== "passphrase") { say(error.message, true); return; }
        forget(envelope.key, root);
      }
    }

    ready = true;
    form.hidden = false;
    input.focus();
  }

  window.RapportUnlock = {
    MIN_ITERATIONS: MIN_ITERATIONS, deriveKeyBytes: deriveKeyBytes, openContentKey: openContentKey,
    openFile: openFile, decryptWithPassphrase: decryptWithPassphrase, sitePath: sitePath,
    SYMBOLS: SYMBOLS, decode: decode, encode: encode, inflate: inflate, unpad: unpad
  };
  start();
})();
