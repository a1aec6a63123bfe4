/* Hindsight search page. Served over HTTP it uses the Pagefind index: one bundle per year
   said, listed in pagefind/shards.json, the first imported and the others merged into it.
   Opened from disk (file://), where browsers forbid loading it, it says so and searches
   the small offline index in search-fallback.js instead. Builds the page with DOM calls
   only: no text from the archive is ever inserted as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = new URL("../", script ? script.src : document.baseURI);
  var FILTERS = [["speaker", "Speaker"], ["topic", "Question"], ["year", "Year"], ["outlet", "Outlet"], ["outcome", "Outcome"]];
  var ORDERS = [["relevance", "Best match"], ["oldest", "Oldest first"], ["newest", "Newest first"]];
  var PAGE_SIZE = 50;
  var SCAN_AT_MOST = 1000;   /* results looked at when some must be dropped (see relevant) */

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var filterBox = document.getElementById("search-filters");
  var statusLine = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var modeNote = document.getElementById("search-mode");
  var params = new URLSearchParams(location.search);
  var engine = null;
  var selects = {};
  var order = null;
  var generation = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function longDate(iso) {
    if (!iso) return "Date unknown";
    var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    var parts = iso.split("-");
    return Number(parts[2]) + " " + months[Number(parts[1]) - 1] + " " + parts[0];
  }

  /* Pagefind excerpts are escaped text with <mark> around matches: keep only those two things. */
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) out.appendChild(document.createTextNode(node.textContent));
      else if (node.nodeName === "MARK") out.appendChild(el("mark", {}, node.textContent));
      else out.appendChild(document.createTextNode(node.textContent || ""));
    });
    return out;
  }

  function addFilters(options) {
    filterBox.textContent = "";
    FILTERS.forEach(function (pair) {
      var name = pair[0], values = options[name] || {};
      var id = "filter-" + name;
      var wrap = el("div", { "class": "filter" });
      wrap.appendChild(el("label", { "for": id }, pair[1]));
      var select = el("select", { id: id, name: name });
      select.appendChild(el("option", { value: "" }, "Any"));
      Object.keys(values).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (value) {
        var option = el("option", { value: value }, value + " (" + values[value] + ")");
        if (params.get(name) === value) option.selected = true;
        select.appendChild(option);
      });
      select.addEventListener("change", run);
      selects[name] = select;
      wrap.appendChild(select);
      filterBox.appendChild(wrap);
    });
    var wrap = el("div", { "class": "filter" });
    wrap.appendChild(el("label", { "for": "search-order" }, "Order"));
    order = el("select", { id: "search-order", name: "order" });
    ORDERS.forEach(function (pair) {
      var option = el("option", { value: pair[0] }, pair[1]);
      if (params.get("order") === pair[0]) option.selected = true;
      order.appendChild(option);
    });
    order.addEventListener("change", run);
    wrap.appendChild(order);
    filterBox.appendChild(wrap);
  }

  function chosenFilters() {
    var chosen = {};
    Object.keys(selects).forEach(function (name) {
      if (selects[name].value) chosen[name] = selects[name].value;
    });
    return chosen;
  }

  function remember(query, chosen) {
    var next = new URLSearchParams();
    if (query) next.set("q", query);
    Object.keys(chosen).forEach(function (name) { next.set(name, chosen[name]); });
    if (order && order.value !== "relevance") next.set("order", order.value);
    var search = next.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  function show(items, total) {
    results.textContent = "";
    var questions = 0;
    items.forEach(function (item) {
      var li = el("li", { "class": item.question ? "claim-item question-item" : "claim-item" });
      if (item.question) {
        questions += 1;
        li.appendChild(el("p", { "class": "claim-meta" }, "Question followed · " + item.count + (item.count === "1" ? " claim" : " claims")));
      } else {
        li.appendChild(el("p", { "class": "claim-meta" }, (item.when || longDate(item.said)) + " · " + item.speaker));
      }
      var line = el("p", { "class": "claim-line" });
      if (item.flag) line.appendChild(el("span", { "class": "flag flag-damaged" }, item.flag));
      if (item.flag) line.appendChild(document.createTextNode(" "));
      line.appendChild(el("a", { href: item.href, dir: "auto" }, item.statement));
      li.appendChild(line);
      if (item.excerpt) {
        var excerpt = el("p", { "class": "muted excerpt" });
        excerpt.appendChild(excerptNodes(item.excerpt));
        li.appendChild(excerpt);
      }
      if (item.outcome) {
        var outcome = el("p", { "class": "claim-outcome" });
        outcome.appendChild(el("span", { "class": "badge tone-" + (/^[a-z]+$/.test(item.tone || "") ? item.tone : "none") }, item.outcome));
        li.appendChild(outcome);
      }
      results.appendChild(li);
    });
    var shown = items.length < total ? " (showing the first " + items.length + ")" : "";
    if (total === 0) {
      statusLine.textContent = "No claim or question found for “" + input.value.trim() + "”. Check the spelling, or try other or fewer words." +
        (order && order.value !== "relevance" ? " Questions have no date: choose “Best match” to find them too." : "");
    } else if (questions) {
      var claims = total - questions, parts = [questions + (questions === 1 ? " question" : " questions")];
      if (claims) parts.push(claims + (claims === 1 ? " claim" : " claims"));
      statusLine.textContent = total + (total === 1 ? " result" : " results") + " found" + shown + ": " + parts.join(", ") + ".";
    } else {
      statusLine.textContent = total === 1 ? "1 claim found." : total + " claims found" + shown + ".";
    }
  }

  function run(event) {
    if (event && event.preventDefault) event.preventDefault();
    if (!engine) {   /* still loading: the search runs once the index is ready */
      statusLine.textContent = "Loading the search index…";
      return;
    }
    var query = input.value.trim();
    var chosen = chosenFilters();
    remember(query, chosen);
    if (!query && !Object.keys(chosen).length) {
      results.textContent = "";
      statusLine.textContent = "Type words to search, or choose a filter.";
      return;
    }
    var mine = ++generation;
    statusLine.textContent = "Searching…";
    engine.search(query, chosen, order ? order.value : "relevance").then(function (found) {
      if (mine === generation) show(found.items, found.total);
    }).catch(function (error) {
      statusLine.textContent = "Search failed: " + error.message;
    });
  }

  /* Pagefind, over HTTP. With baseUrl "/" its result URLs are paths from the site's root
     ("/claims/x/index.html"); they are resolved against the folder this site is served
     from, so the same build works at a domain root and under any subpath.
     Merged bundles rank results by score; when sorted by date, a bundle's score is the
     page's place in its own bundle, so results of different bundles would interleave.
     A year lies in one bundle, so a sorted search runs once per year, in order, for just
     as many years as the first page of results needs (counted by an unsorted search). */
  function pagefindEngine(pagefind) {
    /* Pagefind answers a word that a bundle lacks with the longest prefix of it that the
       bundle holds (Pagefind/pagefind#315): "Donbas" found "do" and "doing" in every year it
       was not said in. A result counts only when its own indexed text holds each word typed,
       or a word with the same first four letters (its stem: "negotiating", "negotiations"). */
    function holdsEveryWord(page, words) {
      var text = fold(page.content || "").split(/[^\p{L}\p{N}]+/u);
      return words.every(function (word) {
        var need = Math.min(word.length, 4);
        return text.some(function (other) {
          var same = 0;
          while (same < need && same < other.length && other.charAt(same) === word.charAt(same)) same += 1;
          return same >= need;
        });
      });
    }
    /* The results' data in rank order, a page at a time, keeping those that hold the words,
       until a page of them is found; once one is dropped, the others are looked at too (at
       most SCAN_AT_MOST), so that the count is of what is shown. */
    function relevant(results, query) {
      var words = fold(query || "").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      var kept = [], dropped = 0, at = 0;
      function more() {
        if (at >= results.length || at >= SCAN_AT_MOST || (kept.length >= PAGE_SIZE && !dropped)) {
          return Promise.resolve({ pages: kept.slice(0, PAGE_SIZE), dropped: dropped });
        }
        var chunk = results.slice(at, at + PAGE_SIZE);
        at += chunk.length;
        return Promise.all(chunk.map(function (r) { return r.data(); })).then(function (pages) {
          pages.forEach(function (page) {
            if (!words.length || holdsEveryWord(page, words)) kept.push(page); else dropped += 1;
          });
          return more();
        });
      }
      return more();
    }
    function items(pages) {
      return pages.map(function (page) {
          var meta = page.meta || {};
          return {
            href: new URL(page.url.replace(/^\/+/, ""), root).href,
            statement: meta.statement || meta.title || page.url,
            speaker: meta.speaker || "",
            said: meta.said && /^\d{4}-\d\d-\d\d$/.test(meta.said) ? meta.said : (page.sort && page.sort.said) || "",
            when: meta.when || "",
            outcome: (page.filters && page.filters.outcome && page.filters.outcome[0]) || "",
            tone: meta.tone || "none",
            question: meta.type === "question",
            count: meta.count || "",
            flag: meta.flag || "",
            excerpt: page.excerpt
          };
      });
    }
    function withYear(chosen, year) {
      var copy = {};
      Object.keys(chosen).forEach(function (name) { copy[name] = chosen[name]; });
      copy.year = year;
      return copy;
    }
    function sorted(query, chosen, direction) {
      var sort = { said: direction };
      if (chosen.year) {
        return pagefind.search(query, { filters: chosen, sort: sort }).then(function (found) { return found.results; })
          .then(function (results) { return { total: results.length, results: results }; });
      }
      return pagefind.search(query, { filters: chosen }).then(function (found) {
        var counts = (found.filters && found.filters.year) || {};
        var years = Object.keys(counts).filter(function (year) { return /^\d+$/.test(year) && counts[year] > 0; })
          .sort(function (a, b) { return direction === "asc" ? a - b : b - a; });
        var total = years.reduce(function (sum, year) { return sum + counts[year]; }, 0);
        var needed = [], count = 0;
        years.forEach(function (year) {
          if (count < PAGE_SIZE) { needed.push(year); count += counts[year]; }
        });
        return Promise.all(needed.map(function (year) {
          return pagefind.search(query, { filters: withYear(chosen, year), sort: sort });
        })).then(function (each) {
          return { total: total, results: [].concat.apply([], each.map(function (found) { return found.results; })) };
        });
      });
    }
    return {
      filters: function () { return pagefind.filters(); },
      search: function (query, chosen, how) {
        var searching = how === "oldest" || how === "newest"
          ? sorted(query || null, chosen, how === "oldest" ? "asc" : "desc")
          : pagefind.search(query || null, { filters: chosen }).then(function (found) {
            return { total: found.results.length, results: found.results };
          });
        return searching.then(function (found) {
          return relevant(found.results, query).then(function (kept) {
            return { total: Math.max(kept.pages.length, found.total - kept.dropped), items: items(kept.pages) };
          });
        });
      }
    };
  }

  /* The offline index: every claim's statement, speaker, questions, outlet and outcome.
     Names (speakers, questions, outlets, outcomes) are numbers into index.names; an empty
     "when" is the long form of the date, and the year is the date's. */
  function fallbackEngine(index) {
    var fields = index.fields, names = index.names;
    var claims = index.claims.map(function (row) {
      var claim = {};
      fields.forEach(function (name, i) { claim[name] = row[i]; });
      claim.speaker = names[claim.speaker];
      claim.outlet = names[claim.outlet];
      claim.outcome = names[claim.outcome];
      claim.topics = claim.topics.map(function (number) { return names[number]; });
      claim.year = claim.said ? String(Number(claim.said.slice(0, 4))) : "undated";
      claim.when = claim.when || longDate(claim.said);
      claim.text = fold([claim.statement, claim.speaker, claim.topics.join(" "), claim.outlet, claim.year].join(" "));
      return claim;
    });
    function values(name) {
      var counts = {};
      claims.forEach(function (claim) {
        var list = name === "topic" ? claim.topics : [name === "year" && claim.year === "undated" ? "Undated" : claim[name]];
        list.forEach(function (value) { if (value) counts[value] = (counts[value] || 0) + 1; });
      });
      return counts;
    }
    return {
      filters: function () {
        var all = {};
        FILTERS.forEach(function (pair) { all[pair[0]] = values(pair[0]); });
        return Promise.resolve(all);
      },
      search: function (query, chosen, how) {
        var words = fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
        var found = claims.filter(function (claim) {
          if (!words.every(function (word) { return claim.text.indexOf(word) !== -1; })) return false;
          return Object.keys(chosen).every(function (name) {
            if (name === "topic") return claim.topics.indexOf(chosen[name]) !== -1;
            if (name === "year") return (claim.year === "undated" ? "Undated" : claim.year) === chosen[name];
            return claim[name] === chosen[name];
          });
        });
        if (how === "newest") found = found.slice().reverse();
        return Promise.resolve({
          total: found.length,
          items: found.slice(0, PAGE_SIZE).map(function (claim) {
            return { href: new URL(claim.path, root).href, statement: claim.statement, speaker: claim.speaker,
                     said: claim.said, when: claim.when, outcome: claim.outcome, flag: claim.flag || "", excerpt: "" };
          })
        });
      }
    };
  }

  function loadFallback(reason) {
    modeNote.hidden = false;
    modeNote.textContent = reason + " Searching a simpler offline index instead: every word you type must appear in the claim, its speaker, question or outlet.";
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = new URL("search-fallback.js", root).href;
      tag.onload = function () {
        if (window.HINDSIGHT_FALLBACK_SEARCH) resolve(fallbackEngine(window.HINDSIGHT_FALLBACK_SEARCH));
        else reject(new Error("the offline index is empty"));
      };
      tag.onerror = function () { reject(new Error("the offline index could not be loaded")); };
      document.head.appendChild(tag);
    });
  }

  function start() {
    if (location.protocol === "file:") {
      return loadFallback("Full search needs the archive to be served over the web (for example with “hindsight serve”); this copy was opened from disk.");
    }
    var settings = { baseUrl: "/", excerptLength: 24 };
    return fetch(new URL("pagefind/shards.json", root).href).then(function (response) {
      if (!response.ok) throw new Error("no search index");
      return response.json();
    }).then(function (manifest) {
      var bundles = manifest.shards.map(function (name) { return new URL("pagefind/" + name + "/", root).href; });
      return import(bundles[0] + "pagefind.js").then(function (pagefind) {
        return pagefind.options(settings).then(function () {
          return Promise.all(bundles.slice(1).map(function (bundle) { return pagefind.mergeIndex(bundle, settings); }));
        }).then(function () { return pagefindEngine(pagefind); });
      });
    }).catch(function () {
      return loadFallback("The full search index is not available here.");
    });
  }

  input.value = params.get("q") || "";
  form.addEventListener("submit", run);
  start().then(function (ready) {
    engine = ready;
    return engine.filters();
  }).then(function (options) {
    addFilters(options);
    input.addEventListener("input", function () {
      clearTimeout(input.pending);
      input.pending = setTimeout(run, 250);
    });
    run();
  }).catch(function (error) {
    modeNote.hidden = false;
    modeNote.textContent = "Search is not available: " + error.message + ". Browse the questions, speakers and years instead.";
  });
})();
