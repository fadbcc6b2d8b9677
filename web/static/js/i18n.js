/* The words of the page's scripts in the page's language: the page renders them in the JSON
   block #i18n-messages (English wording -> translation); a missing one stays English.
   HabeasI18n.t("Deployed as version %(version)s.", {version: 2}) fills in the values. */
(function (global) {
  "use strict";
  var block = document.getElementById("i18n-messages");
  var words = block ? JSON.parse(block.textContent) : {};

  function t(english, values) {
    var text = Object.prototype.hasOwnProperty.call(words, english) ? words[english] : english;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  global.HabeasI18n = { t: t };
}(window));
