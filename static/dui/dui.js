// DUI: small progressive enhancements. No inline scripts (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  // Confirmation on destructive forms: <form data-confirmer="message">
  document.querySelectorAll("form[data-confirmer]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirmer)) { event.preventDefault(); }
    });
  });

  // AGGIR grid: "Aucun" excludes the adverbs of the same item, and the other way round.
  document.querySelectorAll("input[name^='aucun_']").forEach(function (aucun) {
    var item = aucun.name.slice("aucun_".length);
    var adverbes = document.querySelectorAll("input[name='adv_" + item + "']");
    aucun.addEventListener("change", function () {
      if (aucun.checked) { adverbes.forEach(function (a) { a.checked = false; }); }
    });
    adverbes.forEach(function (a) {
      a.addEventListener("change", function () { if (a.checked) { aucun.checked = false; } });
    });
  });

  // A tablet left in a corridor must not keep showing a record: after the inactivity timeout the
  // page logs out by itself (the server would refuse the session anyway) and shows the login page.
  var minutes = parseInt(document.body.dataset.inactivite || "0", 10);
  var deconnexion = document.getElementById("form-deconnexion");
  if (minutes > 0 && deconnexion) {
    var delai = minutes * 60 * 1000, minuteur = null;
    var armer = function () {
      if (minuteur) { window.clearTimeout(minuteur); }
      minuteur = window.setTimeout(function () {
        deconnexion.elements.motif.value = "inactivite";
        deconnexion.submit();
      }, delai);
    };
    ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (evt) {
      document.addEventListener(evt, armer, { passive: true });
    });
    armer();
  }
});
