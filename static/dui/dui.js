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

// Documents: drag and drop onto the upload zone, and the pages of a paper document photographed one after
// the other on a tablet (each photo is added to the files sent; the pages then form one document).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-depot]").forEach(function (form) {
    var fichiers = form.querySelector("input[name='fichiers']");
    var photo = form.querySelector("input[data-photo]");
    var zone = form.querySelector("[data-zone-depot]");
    var liste = form.querySelector("[data-pages]");
    if (!fichiers || typeof DataTransfer === "undefined") { return; }
    var afficher = function () {
      liste.textContent = "";
      Array.prototype.forEach.call(fichiers.files, function (f, i) {
        var li = document.createElement("li");
        li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " Ko)";
        var retirer = document.createElement("button");
        retirer.type = "button";
        retirer.className = "bouton secondaire";
        retirer.textContent = "Retirer";
        retirer.addEventListener("click", function () { enlever(i); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(retirer);
        liste.appendChild(li);
      });
    };
    var ajouter = function (nouveaux) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(fichiers.files, function (f) { dt.items.add(f); });
      Array.prototype.forEach.call(nouveaux, function (f) { dt.items.add(f); });
      fichiers.files = dt.files;
      afficher();
    };
    var enlever = function (index) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(fichiers.files, function (f, i) { if (i !== index) { dt.items.add(f); } });
      fichiers.files = dt.files;
      afficher();
    };
    fichiers.addEventListener("change", afficher);
    if (photo) {
      photo.addEventListener("change", function () {
        if (!photo.files.length) { return; }
        var numero = fichiers.files.length + 1;
        var f = photo.files[0];
        var renomme = new File([f], "page-" + numero + "." + (f.name.split(".").pop() || "jpg"), { type: f.type });
        ajouter([renomme]);
        photo.value = "";
        var pages = form.querySelector("input[name='mode'][value='pages']");
        if (pages) { pages.checked = true; }
      });
    }
    ["dragenter", "dragover"].forEach(function (evt) {
      zone.addEventListener(evt, function (e) { e.preventDefault(); zone.classList.add("survol"); });
    });
    ["dragleave", "drop"].forEach(function (evt) {
      zone.addEventListener(evt, function (e) { e.preventDefault(); zone.classList.remove("survol"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { ajouter(e.dataTransfer.files); }
    });
  });
});

// Contract signature on a tablet: a frame drawn with a finger or a stylus (pointer events), sent as a PNG.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-signature-form]").forEach(function (form) {
    var cadre = form.querySelector("canvas[data-signature-canvas]");
    var champ = form.querySelector("input[name='signature']");
    var effacer = form.querySelector("[data-signature-effacer]");
    var ctx = cadre.getContext("2d");
    var trace = false, dessine = false;
    var vider = function () {
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, cadre.width, cadre.height);
      ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111"; dessine = false; champ.value = "";
    };
    var point = function (e) {
      var r = cadre.getBoundingClientRect();
      return { x: (e.clientX - r.left) * cadre.width / r.width, y: (e.clientY - r.top) * cadre.height / r.height };
    };
    vider();
    cadre.addEventListener("pointerdown", function (e) {
      e.preventDefault(); trace = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p.x, p.y);
      cadre.setPointerCapture(e.pointerId);
    });
    cadre.addEventListener("pointermove", function (e) {
      if (!trace) { return; } var p = point(e); ctx.lineTo(p.x, p.y); ctx.stroke(); dessine = true;
    });
    ["pointerup", "pointercancel"].forEach(function (evt) {
      cadre.addEventListener(evt, function () { trace = false; });
    });
    effacer.addEventListener("click", vider);
    form.addEventListener("submit", function () { if (dessine) { champ.value = cadre.toDataURL("image/png"); } });
  });
});
