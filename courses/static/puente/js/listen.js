/* Puente "Listen": the lesson read aloud by the phone's own voice, in the lesson's language.
 * Loaded by puente.js when a learner first taps "Listen to this lesson". */
(function (scope) {
  "use strict";

  var doc = scope.document;

  // The phone's own speech synthesis reads the lesson aloud, sentence by sentence, the
  // sentence being read highlighted. Pausing cancels and remembers the sentence (pause()
  // is unreliable on Android), so going on starts that sentence again.
  var READABLE = "h1, h2, h3, p, li, legend, figcaption, dt, dd, blockquote, td, th";
  var SKIPPED = "[data-listen], .meta, .badge, button, script, .visually-hidden";

  // Voices name their language with a region ("es-US", "zh-CN"); Django's codes name a script
  // ("zh-hans"). Simplified Chinese is read best by a mainland voice, not a Cantonese one.
  var VOICE_TAGS = { "zh-hans": "zh-cn", "zh-hant": "zh-tw" };

  function voiceFor(language) {
    var code = language.toLowerCase();
    var preferred = VOICE_TAGS[code] || code;
    var wanted = code.split("-")[0];
    var exact = null;
    var close = null;
    scope.speechSynthesis.getVoices().forEach(function (voice) {
      var tag = (voice.lang || "").toLowerCase().replace("_", "-");
      if (!exact && tag === preferred) exact = voice;
      if (!close && tag.split("-")[0] === wanted) close = voice;
    });
    return exact || close;
  }

  // Voices load late on some phones: wait for them, briefly.
  function voicesReady() {
    if (scope.speechSynthesis.getVoices().length) return Promise.resolve();
    return new Promise(function (resolve) {
      var done = function () { scope.speechSynthesis.removeEventListener("voiceschanged", done); resolve(); };
      scope.speechSynthesis.addEventListener("voiceschanged", done);
      scope.setTimeout(done, 1500);
    });
  }

  function rendered(node) {
    return !node.closest("[hidden]") && node.getClientRects().length > 0;
  }

  // Each readable element's sentences as {text, node, range}: the range marks it on the page.
  function sentencesOf(node, language) {
    var texts = [];
    var walker = doc.createTreeWalker(node, NodeFilter.SHOW_TEXT, {
      acceptNode: function (text) {
        return text.parentElement.closest(SKIPPED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var whole = "";
    while (walker.nextNode()) {
      texts.push({ node: walker.currentNode, start: whole.length });
      whole += walker.currentNode.data;
    }
    var pieces = [];
    if (scope.Intl && Intl.Segmenter) {
      var segments = new Intl.Segmenter(language, { granularity: "sentence" }).segment(whole);
      for (var segment of segments) pieces.push({ start: segment.index, text: segment.segment });
    } else {
      pieces.push({ start: 0, text: whole });
    }
    function at(offset) {
      for (var i = texts.length - 1; i >= 0; i--) {
        if (texts[i].start <= offset) return { node: texts[i].node, offset: Math.min(offset - texts[i].start, texts[i].node.data.length) };
      }
      return null;
    }
    return pieces.filter(function (piece) { return piece.text.trim(); }).map(function (piece) {
      var range = null;
      var from = at(piece.start + piece.text.length - piece.text.replace(/^\s+/, "").length);
      var to = at(piece.start + piece.text.replace(/\s+$/, "").length);
      if (from && to) {
        range = doc.createRange();
        range.setStart(from.node, from.offset);
        range.setEnd(to.node, to.offset);
      }
      return { text: piece.text.trim().replace(/\s+/g, " "), node: node, range: range };
    });
  }

  function readableSentences(article, language) {
    var nodes = Array.prototype.filter.call(article.querySelectorAll(READABLE), function (node) {
      var outer = node.parentElement.closest(READABLE);
      return !(outer && article.contains(outer)) && !node.closest(SKIPPED) && rendered(node);
    });
    return nodes.reduce(function (all, node) { return all.concat(sentencesOf(node, language)); }, []);
  }

  function enhanceListen(control) {
    var synth = scope.speechSynthesis;
    var article = control.closest("article");
    if (!synth || !scope.SpeechSynthesisUtterance || !article) return;
    var play = control.querySelector("[data-listen-play]");
    var label = control.querySelector("[data-listen-label]");
    var stop = control.querySelector("[data-listen-stop]");
    var rate = control.querySelector("[data-listen-rate]");
    var noVoice = control.querySelector("[data-listen-no-voice]");
    var english = control.querySelector("[data-listen-english]");
    var listenLabel = label.textContent;
    var language = article.getAttribute("lang") || doc.documentElement.lang;
    var highlights = scope.CSS && CSS.highlights && scope.Highlight ? CSS.highlights : null;
    var sentences = [];
    var index = 0;
    var reading = false;
    var run = 0; // each start gets a number: a cancelled utterance's events are ignored
    var voice = null;

    function mark(sentence) {
      var current = article.querySelector("[data-listen-current]");
      if (current) current.removeAttribute("data-listen-current");
      if (highlights) highlights.delete("listen");
      if (!sentence) return;
      sentence.node.setAttribute("data-listen-current", "");
      if (highlights && sentence.range) highlights.set("listen", new Highlight(sentence.range));
      if (sentence.node.scrollIntoView) sentence.node.scrollIntoView({ block: "nearest" });
    }

    function show(state) {
      reading = state === "reading";
      play.setAttribute("aria-pressed", reading ? "true" : "false");
      label.textContent = reading ? play.dataset.labelPause : state === "paused" ? play.dataset.labelResume : listenLabel;
      stop.hidden = state === "stopped";
    }

    function speak(ticket) {
      if (ticket !== run) return;
      if (index >= sentences.length) { index = 0; mark(null); show("stopped"); return; }
      var sentence = sentences[index];
      var utterance = new SpeechSynthesisUtterance(sentence.text);
      utterance.lang = voice ? voice.lang : language;
      if (voice) utterance.voice = voice;
      utterance.rate = parseFloat(rate.value) || 1;
      utterance.onend = function () { if (ticket === run) { index += 1; speak(ticket); } };
      utterance.onerror = utterance.onend;
      mark(sentence);
      synth.speak(utterance);
    }

    function start(withVoice) {
      voice = withVoice;
      if (!sentences.length || index === 0) sentences = readableSentences(article, language);
      run += 1;
      synth.cancel();
      show("reading");
      speak(run);
    }

    function halt(state) {
      run += 1;
      synth.cancel();
      show(state);
      if (state === "stopped") { index = 0; mark(null); }
    }

    play.addEventListener("click", function () {
      if (reading) { halt("paused"); return; }
      voicesReady().then(function () {
        var found = voiceFor(language);
        noVoice.hidden = Boolean(found);
        if (found) start(found);
      });
    });
    stop.addEventListener("click", function () { halt("stopped"); });
    rate.addEventListener("change", function () { if (reading) start(voice); });
    if (english) english.addEventListener("click", function () {
      voicesReady().then(function () {
        var found = voiceFor("en");
        noVoice.hidden = true;
        start(found || null);
      });
    });
    scope.addEventListener("pagehide", function () { halt("stopped"); });
  }

  scope.PuenteListen = { enhance: enhanceListen };
})(self);
