// DUI: small progressive enhancements. No inline scripts (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  // Confirmation on destructive forms: <form data-confirmer="message">
  document.querySelectorAll("form[data-confirmer]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirmer)) { event.preventDefault(); }
    });
  });
});
