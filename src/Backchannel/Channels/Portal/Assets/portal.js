// Backchannel portal: keeps the list of sign-in requests current (Server-Sent Events) and counts down their time.
// Plain JavaScript, no framework. The server renders and escapes every request; this only places its HTML.
(function () {
  'use strict';

  function format(seconds) {
    if (seconds <= 0) {
      return 'expired';
    }
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ':' + (rest < 10 ? '0' : '') + rest;
  }

  function startClocks(root) {
    var now = Date.now();
    var clocks = root.querySelectorAll('time[data-seconds-left]');
    for (var i = 0; i < clocks.length; i++) {
      if (!clocks[i].dataset.deadline) {
        clocks[i].dataset.deadline = String(now + Number(clocks[i].dataset.secondsLeft) * 1000);
      }
    }
  }

  function tick() {
    var clocks = document.querySelectorAll('time[data-deadline]');
    for (var i = 0; i < clocks.length; i++) {
      var left = Math.max(0, Math.ceil((Number(clocks[i].dataset.deadline) - Date.now()) / 1000));
      clocks[i].textContent = format(left);
      if (left === 0) {
        var card = clocks[i].closest('article');
        if (card && !card.classList.contains('expired')) {
          card.classList.add('expired');
          var buttons = card.querySelectorAll('button');
          for (var j = 0; j < buttons.length; j++) {
            buttons[j].disabled = true;
          }
        }
      }
    }
  }

  function live(list) {
    var source = new EventSource(list.dataset.events);
    source.addEventListener('requests', function (event) {
      list.innerHTML = event.data;
      startClocks(list);
      tick();
    });
    source.addEventListener('error', function () {
      list.setAttribute('aria-busy', 'true');
    });
    source.addEventListener('open', function () {
      list.removeAttribute('aria-busy');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    startClocks(document);
    tick();
    window.setInterval(tick, 1000);
    var list = document.getElementById('requests');
    if (list && list.dataset.events && window.EventSource) {
      live(list);
    }
  });
})();
