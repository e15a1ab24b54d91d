/* 获取验证码 without leaving the page. The buttons work without this script (they post the
   form to their formaction and the page comes back); with it, the request is sent in the
   background, the answer is read out in the status line, and the button counts down. */
(function () {
  "use strict";

  var PASSWORD_FIELDS = ["password", "password_confirm", "new_password", "new_password_confirm"];

  function countDown(button, label, seconds) {
    var left = seconds;
    button.disabled = true;
    button.textContent = left + " 秒后可重新获取";
    var timer = window.setInterval(function () {
      left -= 1;
      if (left <= 0) {
        window.clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = left + " 秒后可重新获取";
    }, 1000);
  }

  function show(status, message, ok) {
    status.textContent = message;
    status.className = ok ? "field__notice" : "field__error";
  }

  document.querySelectorAll("button[data-code-button]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("data-code-status"));
    var label = button.textContent;
    if (!status || !window.fetch || !window.FormData) {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData(button.form);
      PASSWORD_FIELDS.forEach(function (name) { data.delete(name); });
      button.disabled = true;
      window.fetch(button.formAction, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json();
      }).then(function (answer) {
        show(status, answer.message, answer.ok);
        if (answer.retry_after_seconds > 0) {
          countDown(button, label, answer.retry_after_seconds);
        } else {
          button.disabled = false;
        }
      }).catch(function () {
        show(status, "网络异常，验证码未发送，请稍后重试", false);
        button.disabled = false;
      });
    });
  });
})();
