/* Rapport survey page: time trap, conditional follow-ups, drafts kept in this tab only.
   The form works without this script; nothing here sends anything anywhere. */
(function () {
  "use strict";
  var PREFIX = "rapport-draft:";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }

  if (document.body.hasAttribute("data-clear-drafts")) {
    if (store) {
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(PREFIX) === 0) { store.removeItem(name); }
      }
    }
    return;
  }

  var form = document.querySelector("form.survey");
  if (!form) { return; }
  var survey = form.getAttribute("data-survey");
  var code = form.querySelector("#invitation-code");
  var tokenKey = PREFIX + "token:" + survey;
  var token = fragmentToken();
  var picked = fragmentAnswers();
  if (token || picked.length) {
    // out of the address bar (and so out of bookmarks, shared screens and history) at once
    try { window.history.replaceState(null, "", window.location.pathname + window.location.search); } catch (e) { /* file: pages */ }
  }
  if (token) {
    if (store) { try { store.setItem(tokenKey, token); } catch (e) { /* storage blocked */ } }
  } else if (store) {
    token = store.getItem(tokenKey) || "";  // a reload after the fragment was cleared
  }
  if (code && token) {
    code.value = token;
    var box = form.querySelector("[data-invitation]");
    var said = form.getAttribute("data-invited-note");  /* in the page's language */
    if (box) {
      box.hidden = true;
      if (said) {
        var note = document.createElement("p");
        note.className = "hint";
        note.textContent = said;
        box.parentNode.insertBefore(note, box);
      }
    }
  }
  var key = PREFIX + survey + ":" + (token || "");

  function fragmentToken() {
    var match = /(?:^#|&)t=([A-Za-z0-9]{20,80})(?:&|$)/.exec(window.location.hash || "");
    return match ? match[1].toLowerCase() : "";
  }

  // a score clicked in the invitation e-mail: `#t=<token>&<question id>=<value>` (generator/invite/message.py);
  // the fragment never reaches a server, so opening the link records nothing until the form is sent
  function fragmentAnswers() {
    var found = [];
    var pattern = /(?:^#|&)([a-z0-9][a-z0-9_-]{0,63})=([0-9]{1,2})(?=&|$)/g;
    var hash = window.location.hash || "";
    var match;
    while ((match = pattern.exec(hash)) !== null) {
      if (match[1] !== "t") { found.push({ question: match[1], value: match[2] }); }
    }
    return found;
  }

  function preselect() {
    picked.forEach(function (answer) {
      var fieldset = document.getElementById("q-" + answer.question);
      if (!fieldset || !fieldset.classList.contains("question")) { return; }
      Array.prototype.forEach.call(fieldset.querySelectorAll("input[type=radio]"), function (el) {
        if (el.value === answer.value) { el.checked = true; }
      });
    });
  }
  var shownAt = form.querySelector("[data-shown-at]");
  if (shownAt) { shownAt.value = String(Date.now()); }

  function answerFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.closest && el.closest("fieldset.question");
    });
  }

  function answersOf(name) {
    return answerFields().filter(function (el) {
      return el.name === name && (el.type === "radio" || el.type === "checkbox" ? el.checked : el.value !== "");
    }).map(function (el) { return el.value; });
  }

  function holds(fieldset) {
    var given = answersOf(fieldset.getAttribute("data-show-if"));
    if (!given.length) { return false; }
    var atMost = fieldset.getAttribute("data-at-most");
    var atLeast = fieldset.getAttribute("data-at-least");
    var equals = fieldset.getAttribute("data-equals");
    return given.some(function (value) {
      if (atMost !== null) { return value !== "" && Number(value) <= Number(atMost); }
      if (atLeast !== null) { return value !== "" && Number(value) >= Number(atLeast); }
      return value === equals;
    });
  }

  function applyConditions() {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-show-if]"), function (fieldset) {
      var show = holds(fieldset);
      fieldset.hidden = !show;
      fieldset.disabled = !show;
    });
  }

  function save() {
    if (!store) { return; }
    var draft = {};
    answerFields().forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value === "") { return; }
      (draft[el.name] = draft[el.name] || []).push(el.value);
    });
    try { store.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full or blocked */ }
  }

  function restore() {
    if (!store) { return; }
    var draft;
    try { draft = JSON.parse(store.getItem(key) || "{}"); } catch (e) { draft = {}; }
    answerFields().forEach(function (el) {
      var saved = draft[el.name];
      if (!saved) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = saved.indexOf(el.value) !== -1; }
      else { el.value = saved[0]; }
    });
  }

  restore();
  preselect();  // after the draft: the score just clicked in the e-mail is the newer wish
  applyConditions();
  if (picked.length) { save(); }
  // another score clicked in the e-mail while this page is open: the browser only changes the fragment
  window.addEventListener("hashchange", function () {
    picked = fragmentAnswers();
    if (!picked.length) { return; }
    try { window.history.replaceState(null, "", window.location.pathname + window.location.search); } catch (e) { /* file: pages */ }
    preselect();
    applyConditions();
    save();
  });
  form.addEventListener("input", function () { applyConditions(); save(); });
  form.addEventListener("change", function () { applyConditions(); save(); });

  var thanks = form.getAttribute("data-thanks");
  if (form.hasAttribute("data-post-into-frame")) {
    var frame = document.createElement("iframe");
    frame.name = "rapport-sink";
    frame.hidden = true;
    frame.title = form.getAttribute("data-frame-title") || "";  /* in the page's language */
    document.body.appendChild(frame);
    form.target = frame.name;
    form.addEventListener("submit", function () {
      frame.addEventListener("load", function () {
        if (store) { store.removeItem(key); }
        window.location.href = thanks;
      });
    });
  } else if (form.getAttribute("enctype") === "text/plain") {
    form.addEventListener("submit", function () { if (store) { store.removeItem(key); } });
  }
})();
