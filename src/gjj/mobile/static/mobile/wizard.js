/* The H5 wizard: the card checked as typed, photos shrunk in the browser before upload (longest
   side at most 2000 px, JPEG quality 0.85) with a progress bar and a retry, and the service worker. */
(function () {
  "use strict";
  var MAX_SIDE = 2000;
  var QUALITY = 0.85;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- service worker (the app shell only) ---
  var swUrl = document.body.getAttribute("data-sw");
  if (swUrl && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(swUrl, { scope: "/m/" }).catch(function () {});
  }

  // --- /app/: install prompt where the browser offers one ---
  var installButton = document.getElementById("install-button");
  if (installButton) {
    window.addEventListener("beforeinstallprompt", function (event) {
      event.preventDefault();
      installButton.hidden = false;
      installButton.addEventListener("click", function () { event.prompt(); });
    });
  }

  // --- 收款账户信息: the card checked as typed ---
  var card = document.getElementById("id_card_no");
  if (card && card.dataset.checkUrl) {
    var feedback = document.getElementById("card-feedback");
    var bank = document.getElementById("id_bank");
    var timer = null;
    var check = function () {
      var body = new FormData();
      body.append("card_no", card.value);
      body.append("bank", bank ? bank.value : "");
      fetch(card.dataset.checkUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          feedback.textContent = data.message || "";
          feedback.className = "m-feedback" + (data.ok ? " m-feedback--ok" : " m-feedback--bad");
          if (data.message && !data.ok) { card.setAttribute("aria-invalid", "true"); } else { card.removeAttribute("aria-invalid"); }
        })
        .catch(function () {});
    };
    var schedule = function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    };
    card.addEventListener("input", schedule);
    if (bank) bank.addEventListener("change", schedule);
  }

  // --- 房屋信息: the house echoed as soon as a whole number is typed ---
  // The same request as 查询 (the server's own page comes back; its echo and messages are taken
  // over); 下一步 waits while it is under way, so the member sees the house and the relation first.
  var houseEcho = document.getElementById("house-echo");
  if (houseEcho) {
    var houseForm = houseEcho.closest("form");
    var nextButton = houseForm.querySelector('button[value="next"]');
    var asked = "";
    var lookUp = function () {
      var body = new FormData(houseForm);
      body.set("action", "lookup");
      if (nextButton) nextButton.disabled = true;
      houseEcho.setAttribute("aria-busy", "true");
      fetch(window.location.pathname, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var answer = new DOMParser().parseFromString(html, "text/html");
          var echo = answer.getElementById("house-echo");
          if (echo) houseEcho.innerHTML = echo.innerHTML;
          var shown = document.getElementById("step-errors");
          if (shown) shown.remove();
          var errors = answer.getElementById("step-errors");
          if (errors) houseForm.parentNode.insertBefore(document.importNode(errors, true), houseForm);
        })
        .catch(function () {})
        .then(function () {
          if (nextButton) nextButton.disabled = false;
          houseEcho.removeAttribute("aria-busy");
        });
    };
    Array.prototype.forEach.call(houseForm.querySelectorAll("[data-house-complete]"), function (input) {
      var complete = new RegExp(input.getAttribute("data-house-complete"));
      var pause = null;
      input.addEventListener("input", function () {
        clearTimeout(pause);
        pause = setTimeout(function () {
          var value = input.value.replace(/\s+/g, "").toUpperCase();
          if (value !== asked && complete.test(value)) {
            asked = value;
            lookUp();
          }
        }, 400);
      });
    });
  }

  // --- 影像上传 ---
  function shrink(file) {
    // PDFs (and anything not an image) go as they are; photos are redrawn no larger than MAX_SIDE.
    if (!/^image\//.test(file.type)) return Promise.resolve(file);
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var w = img.naturalWidth, h = img.naturalHeight;
        var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg" }));
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  function upload(item, file) {
    var bar = item.querySelector(".m-progress");
    var state = item.querySelector(".m-material__state");
    var retry = item.querySelector(".m-retry");
    retry.hidden = true;
    bar.hidden = false;
    bar.value = 0;
    state.textContent = "正在处理照片…";
    shrink(file).then(function (ready) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", item.dataset.uploadUrl);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
        if (xhr.status === 200 && data.ok) {
          bar.value = 100;
          var kb = Math.max(1, Math.round(data.size / 1024));
          state.dataset.width = data.width || "";
          state.dataset.height = data.height || "";
          state.dataset.size = data.size;
          state.textContent = "已上传（" + kb + " KB" + (data.width ? "，" + data.width + "×" + data.height : "") + "）";
          item.classList.add("m-material--done");
          var fix = item.querySelector(".m-material__fix");
          if (fix) fix.textContent = "（已重新上传）";
        } else {
          state.textContent = "上传失败：" + (data.error || "请重试");
          retry.hidden = false;
        }
      };
      xhr.onerror = function () {
        state.textContent = "网络连接中断，上传未完成，请点击“重试”。";
        retry.hidden = false;
      };
      retry.onclick = function () { upload(item, file); };
      var body = new FormData();
      body.append("file", ready, ready.name);
      xhr.send(body);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".m-material"), function (item) {
    Array.prototype.forEach.call(item.querySelectorAll("input[type=file]"), function (input) {
      input.addEventListener("change", function () {
        if (input.files && input.files[0]) upload(item, input.files[0]);
        input.value = "";
      });
    });
  });

  var errors = document.getElementById("step-errors");
  if (errors) errors.focus();
})();
