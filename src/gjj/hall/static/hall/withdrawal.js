/* Each reason's form of 【提取】, 影像上传 and the result: what the pages do with JavaScript on top
   of the plain forms.
   - the error summary takes focus, and its links focus their field;
   - the 影像上传 dialog opens as a modal <dialog> (Esc closes it, Tab stays inside);
   - a material is uploaded with XMLHttpRequest and a progress bar, and the dialog's content is
     replaced by the server's answer (the same markup the page renders without JavaScript).
   htmx (vendor/htmx.min.js) does the house echo, the card check and the draft. No third party. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var FOCUSABLE =
    'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
    'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

  function visible(element) {
    return !element.hidden && element.getClientRects().length > 0;
  }

  function focusables(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), visible);
  }

  // --- the house echo as soon as a whole number is typed ------------------------------------------
  // An input whose data-house-complete pattern the typed number (without spaces, upper case) matches
  // asks htmx for the echo once typing pauses; "change" (leaving the field) and 查询 still work.

  function setUpHouseEcho() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-house-complete]"), function (input) {
      var complete = new RegExp(input.getAttribute("data-house-complete"));
      var asked = "";
      var timer = null;
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          var value = input.value.replace(/\s+/g, "").toUpperCase();
          if (value !== asked && complete.test(value) && window.htmx) {
            asked = value;
            window.htmx.trigger(input, "house-complete");
          }
        }, 400);
      });
    });
  }

  // --- the error summary --------------------------------------------------------------------------

  function setUpErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var label = document.querySelector('label[for="' + target.id + '"]');
      (label || target).scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    });
  }

  // --- the 影像上传 dialog ---------------------------------------------------------------------------

  function setUpDialog(dialog) {
    if (typeof dialog.showModal !== "function") return; // stays open in the page
    var heading = dialog.querySelector("#" + dialog.getAttribute("aria-labelledby"));
    var openers = document.querySelectorAll('[data-dialog-open="' + dialog.id + '"]');
    var lastOpener = null;

    function open(opener) {
      lastOpener = opener || null;
      if (dialog.open) dialog.close();
      dialog.showModal();
      if (heading) heading.focus();
    }

    Array.prototype.forEach.call(openers, function (button) {
      var wrapper = button.closest("[data-js-show]");
      if (wrapper) wrapper.hidden = false;
      button.addEventListener("click", function () {
        open(button);
      });
    });
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-dialog-close]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        dialog.close();
      });
    });
    dialog.addEventListener("close", function () {
      var back = lastOpener || openers[0];
      if (back) back.focus();
    });
    // Keep Tab inside while the dialog is modal (the page behind is inert anyway).
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab" || !dialog.matches(":modal")) return;
      var items = focusables(dialog);
      if (!items.length) return;
      var first = items[0];
      var last = items[items.length - 1];
      var active = document.activeElement;
      if (event.shiftKey && (active === first || active === heading || !dialog.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    });
    if (dialog.hasAttribute("data-auto-open")) open(null);
  }

  // --- uploads ------------------------------------------------------------------------------------

  function announce(text) {
    var region = document.getElementById("materials-announce");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  /* Put the server's answer in the dialog; anything else (a login page after the session ended, the
     result page after the application moved on) replaces the whole page. */
  function swap(html, kind, responseUrl) {
    var panel = document.getElementById("materials-panel");
    var template = document.createElement("template");
    template.innerHTML = html;
    var root = template.content.querySelector("[data-materials]");
    if (!panel || !root) {
      window.location.assign(responseUrl || window.location.href);
      return;
    }
    panel.replaceChildren(template.content);
    enhanceUploads(panel);
    announce(root.getAttribute("data-announce"));
    var target =
      document.getElementById("error-" + kind) ||
      document.getElementById("status-" + kind) ||
      document.getElementById("upload-dialog-title");
    if (target) target.focus();
  }

  function showFailure(form, text) {
    var box = form.querySelector("[data-progress]");
    if (box) box.hidden = true;
    var message = form.querySelector("[data-network-error]");
    if (!message) {
      message = document.createElement("p");
      message.className = "field-error";
      message.setAttribute("data-network-error", "");
      message.tabIndex = -1;
      form.insertBefore(message, form.querySelector(".material__input"));
    }
    message.textContent = text;
    message.focus();
    announce(text);
    delete form.dataset.busy;
  }

  function upload(form) {
    var input = form.querySelector('input[type="file"]');
    if (!input || !input.files.length) {
      if (input) input.click();
      return;
    }
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    var kind = form.getAttribute("data-upload");
    var box = form.querySelector("[data-progress]");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    box.hidden = false;
    bar.value = 0;
    text.textContent = "0%";

    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.round((event.loaded * 100) / event.total);
      bar.value = percent;
      text.textContent = percent + "%";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 || request.status === 400) {
        swap(request.responseText, kind, request.responseURL);
      } else {
        showFailure(form, "上传失败（服务器返回 " + request.status + "），请稍后重试。");
      }
    });
    request.addEventListener("error", function () {
      showFailure(form, "网络连接中断，上传失败，请检查网络后重试。");
    });
    request.send(new FormData(form));
  }

  function remove(form) {
    var kind = form.getAttribute("data-remove");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.addEventListener("load", function () {
      if (request.status === 200 || request.status === 400) {
        swap(request.responseText, kind, request.responseURL);
      } else {
        window.location.reload();
      }
    });
    request.addEventListener("error", function () {
      window.location.reload();
    });
    request.send(new FormData(form));
  }

  /* The file inputs leave the tab order to 上传 / 重新上传, which open the chooser. */
  function enhanceUploads(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-upload] input[type=\"file\"]"), function (input) {
      input.tabIndex = -1;
    });
  }

  function setUpUploads() {
    enhanceUploads(document);
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.matches("form[data-upload]")) {
        event.preventDefault();
        upload(form);
      } else if (form.matches("form[data-remove]")) {
        event.preventDefault();
        remove(form);
      }
    });
    // Choosing a file uploads it at once; 上传 / 重新上传 without a file opens the chooser.
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.matches('form[data-upload] input[type="file"]') && input.files.length) {
        upload(input.form);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpErrorSummary();
    setUpHouseEcho();
    Array.prototype.forEach.call(document.querySelectorAll("dialog[data-auto-open], dialog"), function (dialog) {
      if (!dialog.dataset.ready) {
        dialog.dataset.ready = "1";
        setUpDialog(dialog);
      }
    });
    setUpUploads();
  });
})();
