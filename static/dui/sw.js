// DUI service worker (issue 23, item 2): the medication round and the day plan of care stay readable when
// the Wi-Fi drops, once loaded. Only those pages (and the static files) are kept, and they are shown only
// when the network fails; the login page empties this cache (a shared tablet: the next professional finds
// nothing of the previous one's). One-tap actions made offline are queued by dui.js, not here.
var CACHE = "dui-hors-ligne-v1";
var PAGES = [/^\/medicaments\/unite\/[^/]+\/tournee\/$/, /^\/soins\/unite\/[^/]+\/journee\/$/];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (e) {
  var requete = e.request;
  if (requete.method !== "GET") { return; }
  var url = new URL(requete.url);
  if (url.origin !== self.location.origin) { return; }
  var gardee = function (adresse) {
    return PAGES.some(function (motif) { return motif.test(adresse.pathname); });
  };
  var page = requete.mode === "navigate" && gardee(url);
  // a static file is kept only for one of those pages (the login page's own files are not: it empties the cache)
  var statique = url.pathname.indexOf("/static/") === 0 && !!requete.referrer && gardee(new URL(requete.referrer));
  if (!page && !statique) { return; }
  e.respondWith(fetch(requete).then(function (reponse) {
    if (reponse.ok && !reponse.redirected) {
      var copie = reponse.clone();
      caches.open(CACHE).then(function (cache) { cache.put(requete, copie); });
    }
    return reponse;
  }, function () {
    return caches.match(requete).then(function (gardee) { return gardee || Response.error(); });
  }));
});
