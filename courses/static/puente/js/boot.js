// Loads puente.js once the page has loaded. A slow phone gets the lesson (plain forms that work
// without a script) and its load event first; the script that grades on the phone, queues
// progress offline and saves modules comes right after. Its address is this tag's data-src.
(function (scope) {
  "use strict";
  var src = document.currentScript.dataset.src;
  function load() {
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }
  // After the load event's handlers, not among them: the load event is over.
  if (document.readyState === "complete") load();
  else scope.addEventListener("load", function () { scope.setTimeout(load, 0); });
})(self);
