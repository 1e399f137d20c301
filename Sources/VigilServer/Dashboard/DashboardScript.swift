/// `vigil.js`: keeps relative times current and applies `/events` to the page in place. Pages are complete
/// without it; it only ever sets text and classes, never markup from the server.
enum DashboardScript {
    static let js = #"""
        "use strict";
        (function () {
          var body = document.body;
          var scope = body.getAttribute("data-live");
          var pageMonitor = body.getAttribute("data-monitor-id");

          function relative(iso) {
            var date = new Date(iso);
            var seconds = (Date.now() - date.getTime()) / 1000;
            var future = seconds < 0;
            var size = Math.abs(seconds);
            if (size < 5) return future ? "in a moment" : "just now";
            var text;
            if (size < 60) text = Math.floor(size) + " s";
            else if (size < 3600) text = Math.floor(size / 60) + " min";
            else if (size < 172800) text = Math.floor(size / 3600) + " h";
            else if (size < 5184000) text = Math.floor(size / 86400) + " days";
            else return iso.slice(0, 10);
            return future ? "in " + text : text + " ago";
          }

          function absolute(iso) {
            return iso.slice(0, 10) + " " + iso.slice(11, 19) + " UTC";
          }

          function timeElement(iso) {
            var time = document.createElement("time");
            time.setAttribute("datetime", iso);
            time.setAttribute("title", absolute(iso));
            time.setAttribute("data-relative", "");
            time.textContent = relative(iso);
            return time;
          }

          function refreshTimes() {
            var times = document.querySelectorAll("time[data-relative]");
            for (var i = 0; i < times.length; i++) {
              times[i].textContent = relative(times[i].getAttribute("datetime"));
            }
          }
          setInterval(refreshTimes, 10000);

          if (!scope || typeof EventSource === "undefined") return;

          var live = document.getElementById("live");
          var liveText = live && live.querySelector(".live-text");
          var announcer = document.getElementById("announcer");
          var told = false;

          function setLive(state, text) {
            if (!live) return;
            live.hidden = false;
            live.className = "live " + state;
            liveText.textContent = text;
          }

          function announce(text) {
            if (announcer) announcer.textContent = text;
          }

          function setField(container, field, iso, none) {
            var cells = container.querySelectorAll('[data-field="' + field + '"]');
            for (var i = 0; i < cells.length; i++) {
              if (iso) {
                cells[i].replaceChildren(timeElement(iso));
              } else {
                var span = document.createElement("span");
                span.className = "muted";
                span.textContent = none;
                cells[i].replaceChildren(span);
              }
            }
          }

          // The same words the server writes when there is no deadline.
          function noDeadline(state) {
            if (state === "paused") return "paused";
            if (state === "stalled" || state === "failing" || state === "recovering") return "waiting for progress";
            return "none";
          }

          function count(state, delta) {
            var cell = document.querySelector('[data-count="' + state + '"]');
            if (!cell) return;
            cell.textContent = String(Math.max(0, parseInt(cell.textContent, 10) + delta));
            var item = document.querySelector('[data-summary="' + state + '"]');
            if (item && delta > 0) item.hidden = false;
          }

          function setState(holder, update, quiet) {
            var old = holder.getAttribute("data-state");
            var pill = holder.querySelector('[data-field="state"]');
            if (pill) {
              var running = pill.parentNode.querySelector(".tag.running");
              if (update.running && !running) {
                running = document.createElement("span");
                running.className = "tag running";
                running.textContent = "running";
                pill.after(" ", running);
              } else if (!update.running && running) {
                running.remove();
              }
            }
            if (old === update.state) return false;
            holder.setAttribute("data-state", update.state);
            if (pill) {
              pill.className = "pill " + update.state + (quiet ? "" : " flash");
              pill.textContent = update.state;
            }
            if (scope === "overview") {
              count(old, -1);
              count(update.state, 1);
            }
            return true;
          }

          function row(cells, className) {
            var tr = document.createElement("tr");
            tr.className = className + " fresh";
            cells.forEach(function (cell, index) {
              var element = document.createElement(index === 1 ? "th" : "td");
              if (index === 1) element.setAttribute("scope", "row");
              element.setAttribute("data-label", ["Time", "Event", "Detail"][index]);
              cell.forEach(function (part) { element.append(part); });
              tr.append(element);
            });
            return tr;
          }

          function span(className, text) {
            var element = document.createElement("span");
            element.className = className;
            element.textContent = text;
            return element;
          }

          function prepend(tr) {
            var table = document.getElementById("timeline-table");
            if (!table) return;
            var tbody = table.tBodies[0];
            tbody.insertBefore(tr, tbody.firstChild);
            while (tbody.rows.length > 200) tbody.deleteRow(tbody.rows.length - 1);
            var empty = document.querySelector("[data-empty-timeline]");
            if (empty) empty.remove();
          }

          function timeline(update) {
            (update.changes || []).forEach(function (change) {
              prepend(row([
                [timeElement(change.at)], ["state"],
                [span("pill " + change.from, change.from), " → ", span("pill " + change.to, change.to), " " + change.reason]
              ], "journal-line"));
            });
            var signal = update.signal;
            if (signal) {
              var detail = [];
              if (signal.progress) detail.push(span("tag progress", "progress"));
              if (signal.value !== undefined && signal.value !== null) detail.push((detail.length ? " · " : "") + "value " + signal.value);
              var tone = signal.failure ? "failing" : signal.progress ? "up" : "neutral";
              prepend(row([[timeElement(signal.at)], [span("kind " + tone, signal.kind)], detail], "signal-line"));
            }
            if (update.skipped > 0) {
              prepend(row([[timeElement(new Date().toISOString())], ["…"],
                [update.skipped + " more signals arrived faster than shown; reload to see them all"]], "journal-line"));
            }
          }

          function apply(update, quiet) {
            if (!/^[0-9a-f-]+$/.test(update.id)) return;
            var holders = document.querySelectorAll('[data-monitor-id="' + update.id + '"]');
            var onPage = scope === "monitor" && update.id === pageMonitor;
            if (holders.length === 0 && scope === "overview" && !quiet && !told) {
              told = true;
              announce("New monitor " + update.slug + ": reload to see it.");
            }
            for (var i = 0; i < holders.length; i++) {
              var holder = holders[i];
              if (holder === body) continue;
              var changed = setState(holder, update, quiet);
              var container = onPage ? document : holder;
              setField(container, "last_progress", update.last_progress, "never");
              setField(container, "next_deadline", update.next_deadline, noDeadline(update.state));
              if (onPage) {
                setField(container, "last_signal", update.last_signal, "never");
                setField(container, "since", update.since, "never");
              }
              if (changed && !quiet) announce(update.slug + " is now " + update.state + ".");
            }
            if (onPage && !quiet) timeline(update);
          }

          function journal(line) {
            if (scope !== "monitor" || line.id !== pageMonitor) return;
            prepend(row([[timeElement(line.at)], [line.event], [line.detail]], "journal-line"));
          }

          var source;
          function connect() {
            source = new EventSource("/events");
            source.addEventListener("open", function () { setLive("on", "Live"); });
            source.addEventListener("error", function () {
              if (source.readyState === EventSource.CLOSED) {
                setLive("off", "Offline — retrying");
                setTimeout(connect, 10000);
              } else {
                setLive("off", "Reconnecting…");
              }
            });
            source.addEventListener("snapshot", function (event) {
              JSON.parse(event.data).forEach(function (update) { apply(update, true); });
              setLive("on", "Live");
            });
            source.addEventListener("monitor", function (event) { apply(JSON.parse(event.data), false); });
            source.addEventListener("journal", function (event) { journal(JSON.parse(event.data)); });
            source.addEventListener("gap", function () {
              announce("Some updates were missed; reload for the full history.");
            });
            source.addEventListener("bye", function () { setLive("off", "Vigil stopped — reconnecting"); });
          }
          setLive("", "Connecting…");
          connect();
        })();
        """#
}
