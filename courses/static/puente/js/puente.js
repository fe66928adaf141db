/* Puente: progressive enhancement. Every page works without this file.
 *
 * In a page: registers the service worker, gives instant feedback on questions, queues
 * progress made offline (IndexedDB) and sends it to the events API when the connection
 * returns, and saves a module's lessons for offline use.
 * In the service worker (importScripts): only the queue, for Background Sync.
 */
(function (scope) {
  "use strict";

  var DB_NAME = "puente";
  var STORE = "events";
  var EVENTS_URL = "/api/v1/events/";
  var BATCH = 50;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  // Queue an event: {id, type, lesson, occurred_at, ...} for a learner, with the CSRF token
  // to send it with (a service worker cannot read cookies).
  function queueEvent(event, learner, csrf) {
    return withStore("readwrite", function (store) {
      return store.put({ id: event.id, event: event, learner: learner, csrf: csrf });
    });
  }

  function queuedEvents() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }

  function forget(ids) {
    return withStore("readwrite", function (store) {
      ids.forEach(function (id) { store.delete(id); });
    });
  }

  var flushing = null;

  // Send what waits, a batch per learner. An event the server recorded, already had, or
  // rejected for good is forgotten; anything else (offline, signed out, 5xx) stays queued.
  function flush() {
    if (flushing) return flushing;
    flushing = queuedEvents().then(function (items) {
      var byLearner = {};
      items.forEach(function (item) {
        (byLearner[item.learner] = byLearner[item.learner] || []).push(item);
      });
      return Object.keys(byLearner).reduce(function (chain, learner) {
        return chain.then(function () { return sendAll(byLearner[learner]); });
      }, Promise.resolve());
    }).catch(function () { /* offline: try again later */ }).then(function () {
      flushing = null;
    });
    return flushing;
  }

  function sendAll(items) {
    if (!items.length) return Promise.resolve();
    var batch = items.slice(0, BATCH);
    return scope.fetch(EVENTS_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": batch[0].csrf,
        "X-Puente-Learner": String(batch[0].learner)
      },
      body: JSON.stringify({ events: batch.map(function (item) { return item.event; }) })
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 207 && response.status !== 400) {
        throw new Error("not sent: " + response.status);
      }
      return response.json().then(function (body) {
        var done = (body.results || []).map(function (result) { return result.id; });
        return forget(done.length ? done : batch.map(function (item) { return item.id; }));
      });
    }).then(function () { return sendAll(items.slice(BATCH)); });
  }

  scope.PuenteQueue = { add: queueEvent, flush: flush, all: queuedEvents };

  if (typeof scope.document === "undefined") return; // the service worker stops here

  /* ---- In a page ---- */

  var doc = scope.document;
  var body = doc.body;
  var learner = body.getAttribute("data-learner");
  var lesson = body.getAttribute("data-lesson");
  var strings = {};
  var stringsNode = doc.getElementById("puente-strings");
  if (stringsNode) strings = JSON.parse(stringsNode.textContent);

  function csrfToken() {
    var match = doc.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function uuid4() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  // Writes to the phone's queue still under way: leaving the page could lose them.
  var writing = Promise.resolve();
  var writes = 0;

  function record(type, details) {
    if (!learner || !lesson) return Promise.resolve();
    var event = Object.assign({
      id: details.id || uuid4(),
      type: type,
      lesson: lesson,
      occurred_at: new Date().toISOString(),
      language: doc.documentElement.lang
    }, details);
    writes += 1;
    var queued = queueEvent(event, learner, csrfToken());
    writing = Promise.all([writing, queued.catch(function () {})]).then(function () {
      writes = Math.max(0, writes - 1);
    });
    return queued.then(function () {
      if (navigator.onLine) return flush();
      return navigator.serviceWorker && navigator.serviceWorker.ready.then(function (reg) {
        return reg.sync && reg.sync.register("puente-events");
      }).catch(function () {});
    });
  }

  // Questions: grade on the phone, show the same feedback the server would, queue the answer.
  function enhanceQuestion(form) {
    var dataNode = form.querySelector("script[type='application/json']");
    if (!dataNode) return;
    var question = JSON.parse(dataNode.textContent);
    form.addEventListener("submit", function (submitEvent) {
      var chosen = Array.prototype.filter.call(
        form.querySelectorAll("input[name=choice]"), function (input) { return input.checked; }
      ).map(function (input) { return input.value; });
      submitEvent.preventDefault();
      showFeedback(form, question, chosen);
      if (chosen.length) {
        var eventField = form.querySelector("input[name=event]");
        record("answered", { id: eventField.value, question: question.id, choices: chosen });
        eventField.value = uuid4(); // answering again is a new attempt
      }
    });
  }

  function showFeedback(form, question, chosen) {
    Array.prototype.forEach.call(form.querySelectorAll(".choice-feedback, .result, .error"),
      function (node) { node.remove(); });
    form.classList.remove("is-correct", "is-incorrect");
    if (!chosen.length) {
      form.querySelector("fieldset").insertAdjacentElement("afterend",
        element("p", { "class": "error", role: "alert" }, strings.choose));
      return;
    }
    var right = question.correct.length === chosen.length &&
      question.correct.every(function (id) { return chosen.indexOf(id) !== -1; });
    form.classList.add(right ? "is-correct" : "is-incorrect");
    question.choices.forEach(function (choice) {
      if (chosen.indexOf(choice.id) === -1) return;
      var input = form.querySelector("input[value='" + choice.id + "']");
      input.closest("li").appendChild(element("p", { "class": "choice-feedback" }, choice.feedback));
    });
    var result = element("div", { "class": "result", role: "status" });
    result.appendChild(element("p", {}, "")).appendChild(
      element("strong", {}, right ? strings.right : strings.wrong));
    if (right && question.explanation) result.appendChild(element("p", {}, question.explanation));
    form.querySelector("button[type=submit]").insertAdjacentElement("beforebegin", result);
  }

  function element(tag, attributes, text) {
    var node = doc.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // "I finished this lesson" offline: keep it on the phone and say so.
  function enhanceFinish(form) {
    form.addEventListener("submit", function (submitEvent) {
      if (navigator.onLine) return; // the server answers and moves on
      submitEvent.preventDefault();
      record("completed", { id: form.querySelector("input[name=event]").value });
      form.replaceWith(element("p", { "class": "notice", role: "status" }, strings.savedOffline));
    });
  }

  // "Save this module for offline": its lessons and their pictures, into the phone's cache.
  function enhanceSave(button) {
    if (!("caches" in scope)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var status = doc.getElementById(button.getAttribute("aria-controls"));
      button.disabled = true;
      status.textContent = strings.saving;
      scope.fetch(button.getAttribute("data-pack"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (pack) {
          return scope.caches.open("puente-saved").then(function (cache) {
            // Marked, so that saving a lesson does not count as opening it.
            return Promise.all(pack.urls.map(function (url) {
              return scope.fetch(url, { credentials: "same-origin", headers: { "X-Puente-Save": "1" } })
                .then(function (response) {
                  if (!response.ok) throw new Error(url + ": " + response.status);
                  return cache.put(url, response);
                });
            }));
          });
        })
        .then(function () { status.textContent = strings.saved; })
        .catch(function () { status.textContent = strings.saveFailed; button.disabled = false; });
    });
  }

  // A tap on a link right after an answer waits (milliseconds) for the answer to be kept.
  doc.addEventListener("click", function (clickEvent) {
    var link = clickEvent.target.closest && clickEvent.target.closest("a[href]");
    if (!writes || !link || link.target || clickEvent.defaultPrevented) return;
    if (clickEvent.button || clickEvent.ctrlKey || clickEvent.metaKey || clickEvent.shiftKey) return;
    clickEvent.preventDefault();
    writing.then(function () { scope.location.href = link.href; });
  });

  Array.prototype.forEach.call(doc.querySelectorAll("form.block-question"), enhanceQuestion);
  Array.prototype.forEach.call(doc.querySelectorAll("form.finish-form"), enhanceFinish);
  Array.prototype.forEach.call(doc.querySelectorAll("button[data-pack]"), enhanceSave);

  // A lesson opened from the phone's cache, offline, is a visit the server has not seen.
  if (lesson && learner && !navigator.onLine) record("viewed", {});

  scope.addEventListener("online", flush);
  if ("serviceWorker" in navigator) {
    scope.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
  if (learner) flush();
})(self);
