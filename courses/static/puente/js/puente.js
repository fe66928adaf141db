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
  var META = "meta"; // {key: "csrf", value}: the newest CSRF token a page saw
  var REFUSED = "refused"; // events the server refused for good, kept to tell the learner
  var EVENTS_URL = "/api/v1/events/";
  var HELP_URL = "/api/v1/help/requests/";
  var BATCH = 50;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "id" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: "key" });
        if (!db.objectStoreNames.contains(REFUSED)) db.createObjectStore(REFUSED, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  // Queue an event: {id, type, lesson, occurred_at, ...} made by a profile (learner id).
  function queueEvent(event, learner) {
    return withStore(STORE, "readwrite", function (store) {
      return store.put({ id: event.id, event: event, learner: learner });
    });
  }

  function queueHelp(ask, learner) {
    return withStore(STORE, "readwrite", function (store) {
      store.put({ id: ask.id, learner: learner, kind: "help", event: ask });
    });
  }

  function queuedEvents() {
    return withStore(STORE, "readonly", function (store) { return store.getAll(); });
  }

  function forget(ids) {
    return withStore(STORE, "readwrite", function (store) {
      ids.forEach(function (id) { store.delete(id); });
    });
  }

  // Events the server refused for good leave the queue (resending cannot help) and are kept
  // apart, with the server's reason, until the learner has seen them.
  function refuse(items, reasons) {
    return withStore(REFUSED, "readwrite", function (store) {
      items.forEach(function (item) {
        store.put({ id: item.id, event: item.event, reason: reasons[item.id] || "" });
      });
    }).then(function () { return forget(items.map(function (item) { return item.id; })); });
  }

  function refusedEvents() {
    return withStore(REFUSED, "readonly", function (store) { return store.getAll(); });
  }

  function clearRefused() {
    return withStore(REFUSED, "readwrite", function (store) { store.clear(); });
  }

  // The CSRF token to send with: the page's cookie (a service worker cannot read cookies, so
  // pages leave the newest one here). Never the token of when the event was queued: signing
  // in changes it.
  function rememberCsrf(token) {
    if (!token) return Promise.resolve();
    return withStore(META, "readwrite", function (store) {
      store.put({ key: "csrf", value: token });
    });
  }

  function rememberedCsrf() {
    return withStore(META, "readonly", function (store) { return store.get("csrf"); })
      .then(function (record) { return record ? record.value : ""; });
  }

  // The profile the phone last learned as: a request for help written on the offline page
  // (which names nobody) is sent for it.
  function rememberLearner(id) {
    if (!id) return Promise.resolve();
    return withStore(META, "readwrite", function (store) { store.put({ key: "learner", value: id }); });
  }

  function rememberedLearner() {
    return withStore(META, "readonly", function (store) { return store.get("learner"); })
      .then(function (record) { return record ? record.value : ""; });
  }

  var flushing = null;
  var readCsrf = rememberedCsrf; // a page reads its cookie instead (below)

  // Send what waits, a batch per profile. Recorded, accepted or already known: forgotten. Refused for
  // good (the server says why): moved apart, to be shown. A profile this phone may not act as
  // right now (a child's profile is active): kept for later. Offline, signed out, 5xx, 429:
  // kept, and tried again on the next page or reconnection.
  function flush() {
    if (flushing) return flushing;
    flushing = queuedEvents().then(function (items) {
      var byLearner = {};
      var help = [];
      items.forEach(function (item) {
        if (item.kind === "help") return help.push(item);
        (byLearner[item.learner] = byLearner[item.learner] || []).push(item);
      });
      var events = Object.keys(byLearner).reduce(function (chain, learner) {
        return chain.then(function () { return sendAll(byLearner[learner], learner, false); });
      }, Promise.resolve());
      return help.reduce(function (chain, item) {
        return chain.then(function () { return sendHelp(item, false); });
      }, events);
    }).catch(function () { /* offline or signed out: try again later */ }).then(function () {
      flushing = null;
    });
    return flushing;
  }

  function post(batch, learner, csrf) {
    return scope.fetch(EVENTS_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        // The page grades answers itself: the server may check and keep the events now and
        // record them a moment later (202), which answers the phone sooner.
        "Prefer": "respond-async",
        "X-CSRFToken": csrf,
        "X-Puente-Learner": String(learner)
      },
      body: JSON.stringify({ events: batch.map(function (item) { return item.event; }) })
    });
  }

  function sendAll(items, learner, retried) {
    if (!items.length) return Promise.resolve();
    var batch = items.slice(0, BATCH);
    return readCsrf().then(function (csrf) { return post(batch, learner, csrf); })
      .then(function (response) {
        var answered = [200, 202, 207, 400].indexOf(response.status) !== -1;
        if (answered) {
          return response.json().then(function (body) { return settle(batch, body); })
            .then(function () { return sendAll(items.slice(BATCH), learner, false); });
        }
        if (response.status === 403) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (body.code === "csrf_failed" && !retried) {
              return sendAll(items, learner, true); // once, with the newest token
            }
            if (body.code === "profile_not_allowed") return null; // keep for later
            throw new Error("not sent: 403 " + body.code);
          });
        }
        throw new Error("not sent: " + response.status); // 401, 429, 5xx: keep
      });
  }

  // A request for help, one at a time: its id makes a second send harmless (200, the first).
  function sendHelp(item, retried) {
    return readCsrf().then(function (csrf) {
      var headers = { "Content-Type": "application/json", "X-CSRFToken": csrf };
      if (item.learner) headers["X-Puente-Learner"] = String(item.learner);
      return scope.fetch(HELP_URL, {
        method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(item.event)
      });
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) return forget([item.id]);
      if (response.status === 400) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          var reasons = {};
          reasons[item.id] = JSON.stringify(body);
          return refuse([item], reasons);
        });
      }
      if (response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (body.code === "csrf_failed" && !retried) return sendHelp(item, true);
          if (body.code === "profile_not_allowed") return null; // keep for later
          throw new Error("not sent: 403 " + body.code);
        });
      }
      throw new Error("not sent: " + response.status); // 401, 429, 5xx: keep
    });
  }

  function settle(batch, body) {
    var results = body.results || [];
    if (!results.length) {
      // The whole body was refused (it is not a batch of events): no resend can help.
      var reason = JSON.stringify(body);
      var all = {};
      batch.forEach(function (item) { all[item.id] = reason; });
      return refuse(batch, all);
    }
    var byId = {};
    batch.forEach(function (item) { byId[item.id] = item; });
    var done = [];
    var refused = [];
    var reasons = {};
    results.forEach(function (result, index) {
      var item = byId[result.id] || batch[index];
      if (!item) return;
      if (result.status === "rejected") {
        refused.push(item);
        reasons[item.id] = JSON.stringify(result.errors || {});
      } else {
        done.push(item.id);
      }
    });
    return forget(done).then(function () { return refused.length && refuse(refused, reasons); });
  }

  scope.PuenteQueue = {
    add: queueEvent, help: queueHelp, flush: flush, all: queuedEvents, refused: refusedEvents
  };

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
  readCsrf = function () { return Promise.resolve(csrfToken()); };

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
    var queued = queueEvent(event, learner);
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
    var partly = !right && chosen.every(function (id) { return question.correct.indexOf(id) !== -1; });
    form.classList.add(right ? "is-correct" : "is-incorrect");
    question.choices.forEach(function (choice) {
      if (chosen.indexOf(choice.id) === -1) return;
      var input = form.querySelector("input[value='" + choice.id + "']");
      input.closest("li").appendChild(element("p", { "class": "choice-feedback" }, choice.feedback));
    });
    var result = element("div", { "class": "result", role: "status" });
    result.appendChild(element("p", {}, "")).appendChild(
      element("strong", {}, right ? strings.right : partly ? strings.partly : strings.wrong));
    if (right && question.explanation) result.appendChild(element("p", {}, question.explanation));
    form.querySelector("button[type=submit]").insertAdjacentElement("beforebegin", result);
  }

  function element(tag, attributes, text) {
    var node = doc.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // "I finished this lesson": online, answers still on their way go first (the server checks
  // every question was answered); offline, keep it on the phone and say so.
  function enhanceFinish(form) {
    form.addEventListener("submit", function (submitEvent) {
      if (navigator.onLine) {
        if (form.dataset.sending) return; // answers sent: this is the real submit
        submitEvent.preventDefault();
        form.dataset.sending = "1";
        writing.then(flush).then(function () { form.requestSubmit(); }, function () {
          form.requestSubmit();
        });
        return;
      }
      submitEvent.preventDefault();
      record("completed", { id: form.querySelector("input[name=event]").value });
      form.replaceWith(element("p", { "class": "notice", role: "status" }, strings.savedOffline));
    });
  }

  // "Get help": offline (and always on the offline page, whose form the server never sent),
  // the request waits on the phone with the progress and goes when the phone is back online.
  function enhanceHelp(form) {
    var idInput = form.querySelector("input[name=request_id]");
    var status = form.querySelector("[data-help-status]");
    rememberLearner(form.getAttribute("data-learner")).catch(function () {});
    // A fresh id for each request written here: a page from the phone's cache must not
    // reuse the id of a request it already sent.
    idInput.value = uuid4();
    var params = new URLSearchParams(scope.location.search);
    ["lesson", "question"].forEach(function (name) {
      var input = form.querySelector("input[name=" + name + "]");
      if (input && !input.value && params.get(name)) input.value = params.get(name);
    });
    var offlineForm = form.hasAttribute("data-help-offline");
    form.addEventListener("submit", function (submitEvent) {
      if (navigator.onLine && !offlineForm) return; // the page sends it
      submitEvent.preventDefault();
      var data = new FormData(form);
      var ask = {
        id: idInput.value,
        message: String(data.get("message") || "").trim(),
        language: doc.documentElement.lang,
        lesson: data.get("lesson") || null,
        question: data.get("question") || "",
        contact: data.get("contact") || "puente",
        phone: String(data.get("phone") || "").trim(),
        consent: data.get("consent") === "on",
        best_time: data.get("best_time") || "any"
      };
      var problem = !ask.message ? "data-empty" : (ask.phone && !ask.consent ? "data-consent" : "");
      if (problem) {
        status.textContent = form.getAttribute(problem);
        status.hidden = false;
        return;
      }
      var who = form.getAttribute("data-learner");
      (who ? Promise.resolve(who) : rememberedLearner()).then(function (learnerId) {
        return queueHelp(ask, learnerId);
      }).then(function () {
        form.reset();
        idInput.value = uuid4();
        status.textContent = form.getAttribute(navigator.onLine ? "data-sending" : "data-queued");
        status.hidden = false;
        if (navigator.onLine) return flushAndTell();
        return navigator.serviceWorker && navigator.serviceWorker.ready.then(function (reg) {
          return reg.sync && reg.sync.register("puente-events");
        }).catch(function () {});
      });
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

  // "Listen" (listen.js) loads on the first tap: a lesson page does not need it before. Offline
  // it comes from the phone's cache, where the service worker keeps it beside this file.
  function offerListen(control) {
    if (!scope.speechSynthesis || !scope.SpeechSynthesisUtterance) {
      control.remove(); // and the room kept for it (puente.css)
      return;
    }
    var play = control.querySelector("[data-listen-play]");
    control.hidden = false;
    play.addEventListener("click", function load(event) {
      event.stopImmediatePropagation();
      play.removeEventListener("click", load);
      var script = doc.createElement("script");
      script.src = control.getAttribute("data-listen-script");
      script.onload = function () {
        scope.PuenteListen.enhance(control);
        play.click();
      };
      doc.head.appendChild(script);
    });
  }

  Array.prototype.forEach.call(doc.querySelectorAll("form.block-question"), enhanceQuestion);
  Array.prototype.forEach.call(doc.querySelectorAll("[data-listen]"), offerListen);
  Array.prototype.forEach.call(doc.querySelectorAll("form.finish-form"), enhanceFinish);
  Array.prototype.forEach.call(doc.querySelectorAll("button[data-pack]"), enhanceSave);
  Array.prototype.forEach.call(doc.querySelectorAll("form[data-help-form]"), enhanceHelp);
  // "Print this page" (the recovery code): a button only where a script can print.
  Array.prototype.forEach.call(doc.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { scope.print(); });
  });

  // A lesson opened from the phone's cache, offline, is a visit the server has not seen.
  if (lesson && learner && !navigator.onLine) record("viewed", {});

  // Tell the learner, once, about progress from this phone the server could not keep.
  var refusedNotice = null;
  function showRefused() {
    var main = doc.getElementById("main");
    if (!main || !strings.refused || refusedNotice) return;
    refusedEvents().then(function (items) {
      if (!items.length || refusedNotice) return;
      var notice = element("div", { "class": "message warning", role: "status" });
      notice.appendChild(element("p", {}, strings.refused.replace("%(count)s", items.length)));
      var button = element("button", { type: "button", "class": "link-button" }, strings.dismiss);
      button.addEventListener("click", function () { clearRefused().then(function () { notice.remove(); }); });
      notice.appendChild(button);
      main.insertBefore(notice, main.firstChild);
      refusedNotice = notice;
    }).catch(function () {});
  }

  function flushAndTell() { return flush().then(showRefused); }

  rememberCsrf(csrfToken()).catch(function () {});
  rememberLearner(learner).catch(function () {});
  scope.addEventListener("online", flushAndTell);
  if ("serviceWorker" in navigator) {
    // boot.js loads this script after the load event; before that, wait for it.
    var register = function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); };
    if (doc.readyState === "complete") register();
    else scope.addEventListener("load", register);
  }
  if (learner) flushAndTell(); else showRefused();
  doc.documentElement.dataset.puente = "ready"; // the browser tests wait for it
})(self);
