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

// Feedback where the eyes are (RGAA error pattern, issue 23): after a submission that returns errors, a
// summary at the top of the page lists them, each a link to its field, and takes the focus; a safety alert
// (a prescription against an allergy…) takes the focus itself, scrolled into view, so that nobody believes
// the line was saved. Without JavaScript the errors stay next to their fields.
document.addEventListener("DOMContentLoaded", function () {
  var main = document.getElementById("contenu");
  if (!main) { return; }
  var points = [];
  var ancre = function (el) {
    if (!el.id) { el.id = "erreur-" + (points.length + 1); }
    return "#" + el.id;
  };
  main.querySelectorAll(".alertes-securite [data-testid='alerte']").forEach(function (alerte) {
    var champ = alerte.parentNode.querySelector("input, textarea, select");
    points.push({ texte: alerte.textContent.trim(), cible: champ || alerte });
  });
  main.querySelectorAll(".erreurs:not(.alertes-securite)").forEach(function (bloc) {
    points.push({ texte: bloc.textContent.trim(), cible: bloc });
  });
  main.querySelectorAll(".champ.en-erreur").forEach(function (bloc) {
    var libelle = bloc.querySelector("label, legend");
    var champ = bloc.querySelector("input:not([type='hidden']), select, textarea");
    var messages = Array.prototype.map.call(bloc.querySelectorAll(".erreur"), function (e) {
      return e.textContent.trim();
    });
    var nom = libelle ? libelle.textContent.replace("*", "").trim() : "";
    points.push({ texte: (nom ? nom + " : " : "") + messages.join(" "), cible: champ || bloc });
  });
  if (!points.length) { return; }
  var resume = document.createElement("div");
  resume.className = "resume-erreurs";
  resume.id = "resume-erreurs";
  resume.tabIndex = -1;
  resume.setAttribute("role", "alert");
  resume.setAttribute("data-testid", "resume-erreurs");
  var titre = document.createElement("h2");
  titre.textContent = "Rien n'est enregistré : " + points.length +
    (points.length > 1 ? " points à revoir" : " point à revoir");
  resume.appendChild(titre);
  var liste = document.createElement("ul");
  points.forEach(function (p) {
    var li = document.createElement("li");
    var lien = document.createElement("a");
    lien.href = ancre(p.cible);
    lien.textContent = p.texte;
    lien.addEventListener("click", function (e) {
      e.preventDefault();
      p.cible.scrollIntoView({ block: "center" });
      p.cible.focus();
    });
    li.appendChild(lien);
    liste.appendChild(li);
  });
  resume.appendChild(liste);
  var messages = main.querySelector(".messages");
  main.insertBefore(resume, messages ? messages.nextSibling : main.firstChild);
  var alertes = main.querySelector(".alertes-securite");
  if (alertes) {
    alertes.tabIndex = -1;
    alertes.scrollIntoView({ block: "start" });
    alertes.focus({ preventScroll: true });
  } else {
    resume.focus();
  }
});

// htmx swaps keep the focus where the user acted: the item replaced after a tap (a dose, a care task) gets
// it back — on its error or its question when there is one — instead of the focus falling to the page.
// Each request remembers its own item (keyed by its XMLHttpRequest): a request the answer triggers (the
// page's counters refreshing after a dose) must not take the focus away from the item just replaced.
(function () {
  var cibles = new WeakMap();
  document.addEventListener("htmx:beforeRequest", function (e) {
    var cible = e.detail.target, elt = e.detail.elt;
    if (e.detail.xhr && cible && cible.id && cible !== elt && cible.contains(elt)) {
      cibles.set(e.detail.xhr, cible.id);
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var id = e.detail.xhr && cibles.get(e.detail.xhr);
    if (!id) { return; }
    cibles.delete(e.detail.xhr);
    var nouveau = document.getElementById(id);
    if (!nouveau) { return; }
    var alerte = nouveau.querySelector("[role='alert']");
    var focus = alerte || nouveau;
    if (!focus.hasAttribute("tabindex")) { focus.tabIndex = -1; }
    focus.focus({ preventScroll: !alerte });
  });
})();

// One-tap actions through Wi-Fi drops (issue 23, item 2). A form marked data-hors-ligne (a dose given, a
// care task done) carries an idempotency key; while it is sent its item says « envoi… »; when the network
// fails, the action is kept on the device (IndexedDB, per professional), shown as pending with a banner, and
// sent again when the network returns. The server recognises a key it already recorded (the answer was lost):
// an action is never recorded twice. An action the server refuses on replay (someone else noted the dose, a
// time to confirm) stays listed with the server's words until the professional dismisses it: never dropped.
(function () {
  if (!window.indexedDB || !window.fetch) { return; }
  var BASE = "dui-file-hors-ligne", MAGASIN = "actions";
  var ouvrir = function () {
    return new Promise(function (ok, ko) {
      var r = indexedDB.open(BASE, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(MAGASIN, { keyPath: "cle" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { ko(r.error); };
    });
  };
  var operation = function (mode, faire) {
    return ouvrir().then(function (db) {
      return new Promise(function (ok, ko) {
        var t = db.transaction(MAGASIN, mode), requete = faire(t.objectStore(MAGASIN));
        t.oncomplete = function () { db.close(); ok(requete ? requete.result : undefined); };
        t.onerror = function () { db.close(); ko(t.error); };
      });
    });
  };
  var utilisateur = function () { return document.body.dataset.utilisateur || ""; };
  var lister = function () {
    return operation("readonly", function (m) { return m.getAll(); }).then(function (toutes) {
      return (toutes || []).filter(function (a) { return a.utilisateur === utilisateur(); })
        .sort(function (a, b) { return a.quand - b.quand; });
    });
  };
  var garder = function (action) { return operation("readwrite", function (m) { return m.put(action); }); };
  var oublier = function (cle) { return operation("readwrite", function (m) { return m.delete(cle); }); };
  var nouvelleCle = function () {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  };

  var bandeau = function () {
    var b = document.getElementById("file-hors-ligne");
    if (!b) {
      b = document.createElement("div");
      b.id = "file-hors-ligne";
      b.className = "file-hors-ligne";
      b.setAttribute("role", "status");
      b.setAttribute("aria-live", "polite");
      b.setAttribute("data-testid", "file-hors-ligne");
      document.body.appendChild(b);
    }
    return b;
  };
  var afficher = function () {
    if (!utilisateur()) { return Promise.resolve(); }
    return lister().then(function (actions) {
      var b = bandeau();
      b.textContent = "";
      var attente = actions.filter(function (a) { return a.etat === "en_attente"; });
      var refusees = actions.filter(function (a) { return a.etat === "refusee"; });
      b.hidden = !actions.length;
      if (attente.length) {
        var p = document.createElement("p");
        p.textContent = attente.length + (attente.length > 1 ? " actions en attente" : " action en attente") +
          " d'envoi (pas de réseau) : elles partiront seules au retour du réseau.";
        b.appendChild(p);
      }
      refusees.forEach(function (a) {
        var p = document.createElement("p");
        p.className = "refusee";
        p.setAttribute("data-testid", "action-refusee");
        p.textContent = "Non enregistré — " + a.libelle + " : " + a.message + " ";
        var compris = document.createElement("button");
        compris.type = "button";
        compris.className = "secondaire";
        compris.textContent = "Vu, retirer de la liste";
        compris.addEventListener("click", function () { oublier(a.cle).then(afficher); });
        p.appendChild(compris);
        b.appendChild(p);
      });
    });
  };
  var marquer = function (action) {
    var el = document.getElementById(action.cible);
    if (!el || el.querySelector("[data-testid='en-attente']")) { return; }
    el.classList.add("en-attente");
    // the action is kept: tapping again would queue it twice
    el.querySelectorAll("button, summary").forEach(function (b) { b.setAttribute("disabled", ""); b.setAttribute("aria-disabled", "true"); });
    var p = document.createElement("p");
    p.className = "attente";
    p.setAttribute("data-testid", "en-attente");
    p.textContent = "En attente de réseau : « " + action.libelle + " » sera envoyé au retour du réseau.";
    el.appendChild(p);
  };
  var remplacer = function (action, html) {
    var el = document.getElementById(action.cible);
    if (el && html) { htmx.swap(el, html, { swapStyle: "outerHTML" }); }
  };

  var enCours = false;
  var rejouer = function () {
    if (enCours || !navigator.onLine || !utilisateur()) { return Promise.resolve(); }
    enCours = true;
    return lister().then(function (actions) {
      var suite = Promise.resolve(true);
      actions.filter(function (a) { return a.etat === "en_attente"; }).forEach(function (a) {
        suite = suite.then(function (continuer) {
          if (!continuer) { return false; }
          return fetch(a.url, {
            method: "POST",
            body: a.corps,
            credentials: "same-origin",
            headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
          }).then(function (reponse) {
            var resultat = reponse.headers.get("X-DUI-Resultat");
            return reponse.text().then(function (html) {
              if (resultat === "enregistre") {
                remplacer(a, html);
                document.body.dispatchEvent(new Event(a.evenement || "dose-validee", { bubbles: true }));
                return oublier(a.cle).then(function () { return true; });
              }
              if (resultat === "refuse" || resultat === "a_confirmer") {
                var doc = new DOMParser().parseFromString(html, "text/html");
                var alerte = doc.querySelector("[role='alert']");
                a.etat = "refusee";
                a.message = alerte ? alerte.textContent.trim() : "refusé par le serveur";
                remplacer(a, html);
                return garder(a).then(function () { return true; });
              }
              // not an answer of the application (session ended, server error): kept for later
              a.message = "session expirée ou serveur indisponible : reconnectez-vous";
              return garder(a).then(function () { return false; });
            });
          }, function () { return false; });  // still no network
        });
      });
      return suite;
    }).then(afficher, afficher).then(function () { enCours = false; }, function () { enCours = false; });
  };

  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("form[data-hors-ligne]")) { return; }
    var cle = nouvelleCle();
    e.detail.parameters["cle_idempotence"] = cle;
    var bouton = e.detail.triggeringEvent && e.detail.triggeringEvent.submitter;
    var donnees = new URLSearchParams();
    new FormData(form, bouton || undefined).forEach(function (v, k) { donnees.append(k, v); });
    donnees.set("cle_idempotence", cle);
    form.duiAction = {
      cle: cle,
      utilisateur: utilisateur(),
      url: e.detail.path,
      corps: donnees.toString(),
      cible: e.detail.target.id,
      libelle: bouton ? (bouton.getAttribute("aria-label") || bouton.textContent.trim()) : "action",
      evenement: form.dataset.horsLigne || "",
      quand: Date.now(),
      etat: "en_attente",
      message: "",
    };
    if (e.detail.target) { e.detail.target.classList.add("envoi"); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.target) { e.detail.target.classList.remove("envoi"); }
  });
  document.addEventListener("htmx:sendError", function (e) {
    var action = e.detail.elt && e.detail.elt.duiAction;
    if (!action) { return; }
    garder(action).then(function () { marquer(action); return afficher(); });
  });
  window.addEventListener("online", rejouer);
  document.addEventListener("DOMContentLoaded", function () {
    afficher().then(function () {
      return lister();
    }).then(function (actions) {
      actions.forEach(function (a) { if (a.etat === "en_attente") { marquer(a); } });
      return rejouer();
    });
    window.setInterval(rejouer, 20000);
  });
})();

// Offline reading (issue 23, item 2): the service worker keeps the round and the day plan once loaded; the
// login page empties what it kept. A page shown while offline says so.
document.addEventListener("DOMContentLoaded", function () {
  var connecte = !!document.body.dataset.utilisateur;
  if ("serviceWorker" in navigator && connecte) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* an old browser: online only */ });
  }
  if (!connecte && window.caches) {
    caches.keys().then(function (cles) {
      cles.filter(function (c) { return c.indexOf("dui-") === 0; }).forEach(function (c) { caches.delete(c); });
    });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.getRegistrations().then(function (inscrits) {
        inscrits.forEach(function (i) { i.unregister(); });
      });
    }
  }
  var hors = function () {
    var main = document.getElementById("contenu");
    if (!main || document.getElementById("hors-ligne")) { return; }
    var p = document.createElement("p");
    p.id = "hors-ligne";
    p.className = "message hors-ligne";
    p.setAttribute("role", "status");
    p.setAttribute("data-testid", "hors-ligne");
    p.textContent = "Hors ligne : cette page est celle gardée sur la tablette ; vos validations partiront au retour du réseau.";
    main.insertBefore(p, main.firstChild);
  };
  if (!navigator.onLine) { hors(); }
  window.addEventListener("offline", hors);
  window.addEventListener("online", function () {
    var p = document.getElementById("hors-ligne");
    if (p) { p.remove(); }
  });
});

// Prescription: the unit follows the drug chosen (issue 23, item 8) — a suspension is prescribed in ml, a
// tablet in tablets; the doctor can still change it.
document.addEventListener("change", function (e) {
  var choix = e.target;
  if (!choix.matches || !choix.matches("select[name='medicament']")) { return; }
  var option = choix.options[choix.selectedIndex];
  var unite = option && option.dataset.unite;
  var form = choix.form;
  var champ = form && form.querySelector("select[name='unite']");
  if (unite && champ && champ.querySelector("option[value='" + unite + "']")) { champ.value = unite; }
});
