/*! ngo-search widget: a search box for any page, served by ngo-search at /widget.js.
 *
 *   <div id="search"></div>
 *   <script src="http://HOST:7700/widget.js" data-target="#search"></script>
 *
 * Attributes of the script tag (all optional):
 *   data-target      CSS selector of the element to fill (default "#search")
 *   data-query       search for this right away
 *   data-lang        language filter (codes, comma-separated)
 *   data-query-lang  the query's language hint (default: the page's <html lang>)
 *   data-ui-lang     interface language lv | nb | en (default: the page's <html lang>, then the browser)
 *   data-limit       hits per page (default 10)
 *   data-mode="page" the standalone page at /: follows the browser's language and keeps
 *                    ?q=, ?lang= and ?offset= in the address bar.
 *
 * The API is the origin the script was loaded from. No dependencies, no external resources.
 * Everything from the index is inserted as text, except snippets: the server HTML-escapes them
 * and marks matches with <mark>, and this script keeps nothing but text and <mark> from them.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var API = new URL(script.src, location.href).origin;
  function attr(name) {
    var v = script.getAttribute(name);
    return v === null || v.trim() === '' ? null : v.trim();
  }
  var PAGE = attr('data-mode') === 'page';
  var LIMIT = Math.max(1, Math.min(100, parseInt(attr('data-limit') || '10', 10) || 10));
  var MAX_OFFSET = 10000;

  var STRINGS = {
    en: {
      title: 'Search', lead: 'Documents of civil-society organisations, in several languages.',
      label: 'Search', placeholder: 'Search documents…', all: 'All languages', languages: 'Language',
      result: function (n) { return n === 1 ? 'result' : 'results'; },
      showing: '{from}–{to}', none: 'No results for “{q}”.', error: 'Search failed: {msg}',
      prev: '‹ Previous', next: 'Next ›', pages: 'Pages', searching: 'Searching…', und: 'other', api: 'API'
    },
    lv: {
      title: 'Meklēšana', lead: 'Nevalstisko organizāciju dokumenti vairākās valodās.',
      label: 'Meklēt', placeholder: 'Meklēt dokumentos…', all: 'Visas valodas', languages: 'Valoda',
      result: function (n) { return n % 10 === 1 && n % 100 !== 11 ? 'rezultāts' : 'rezultāti'; },
      showing: '{from}–{to}', none: 'Nav rezultātu vaicājumam “{q}”.', error: 'Meklēšana neizdevās: {msg}',
      prev: '‹ Iepriekšējā', next: 'Nākamā ›', pages: 'Lapas', searching: 'Meklē…', und: 'cita', api: 'API'
    },
    nb: {
      title: 'Søk', lead: 'Dokumenter fra frivillige organisasjoner, på flere språk.',
      label: 'Søk', placeholder: 'Søk i dokumenter…', all: 'Alle språk', languages: 'Språk',
      result: function () { return 'treff'; },
      showing: '{from}–{to}', none: 'Ingen treff for «{q}».', error: 'Søket mislyktes: {msg}',
      prev: '‹ Forrige', next: 'Neste ›', pages: 'Sider', searching: 'Søker…', und: 'annet', api: 'API'
    }
  };

  /** lv, nb or en for a BCP 47 tag; null if none fits. */
  function uiCode(tag) {
    var base = String(tag || '').toLowerCase().split(/[-_]/)[0];
    if (base === 'lv') return 'lv';
    if (base === 'nb' || base === 'nn' || base === 'no') return 'nb';
    if (base === 'en') return 'en';
    return null;
  }
  function browserUi() {
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < langs.length; i++) {
      var c = uiCode(langs[i]);
      if (c) return c;
    }
    return 'en';
  }
  var pageLang = document.documentElement.getAttribute('lang');
  var UI = PAGE ? browserUi() : uiCode(attr('data-ui-lang')) || uiCode(pageLang) || browserUi();
  var T = STRINGS[UI];
  function fmt(s, vars) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k] !== undefined ? vars[k] : ''; });
  }
  // The query's language: for the widget the host page's language; for the page, the reader's.
  var queryLang = attr('data-query-lang') || (PAGE ? UI : pageLang ? pageLang.split(/[-_]/)[0].toLowerCase() : null);

  var names = null;
  try { names = new Intl.DisplayNames([UI], { type: 'language' }); } catch (e) { names = null; }
  function langName(code) {
    if (code === 'und') return T.und;
    try { return (names && names.of(code)) || code; } catch (e) { return code; }
  }

  var CSS =
    '.ngo-search{--ngo-accent:#1f5fa8;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329;max-width:48rem}' +
    '.ngo-search *{box-sizing:border-box}' +
    '.ngo-form{display:flex;gap:.5rem;margin:0 0 .75rem}' +
    '.ngo-input{flex:1;font:inherit;padding:.6rem .8rem;border:1px solid #aab4be;border-radius:.5rem;background:#fff;color:inherit}' +
    '.ngo-input:focus{outline:2px solid var(--ngo-accent);outline-offset:1px;border-color:var(--ngo-accent)}' +
    '.ngo-facets{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 .5rem}' +
    '.ngo-facets:empty{display:none}' +
    '.ngo-facet{font:inherit;font-size:.875rem;padding:.2rem .65rem;border:1px solid #c4ccd4;border-radius:999px;background:#f4f6f8;color:inherit;cursor:pointer}' +
    '.ngo-facet[aria-pressed="true"]{background:var(--ngo-accent);border-color:var(--ngo-accent);color:#fff}' +
    '.ngo-count{margin-left:.35rem;opacity:.75;font-variant-numeric:tabular-nums}' +
    '.ngo-status{font-size:.875rem;color:#56606b;min-height:1.5em;margin:0 0 .5rem}' +
    '.ngo-status.ngo-error{color:#a4262c}' +
    '.ngo-hits{list-style:none;margin:0;padding:0}' +
    '.ngo-hit{padding:.75rem 0;border-top:1px solid #e3e7eb}' +
    '.ngo-title{font-size:1.05rem;margin:0 0 .15rem;font-weight:600}' +
    '.ngo-title a{color:var(--ngo-accent);text-decoration:none}.ngo-title a:hover{text-decoration:underline}' +
    '.ngo-meta{font-size:.8rem;color:#56606b;margin:0 0 .25rem}' +
    '.ngo-snippet{margin:0;color:#2f3943;overflow-wrap:anywhere}' +
    '.ngo-snippet mark{background:#ffe58a;color:inherit;padding:0 .1em;border-radius:.15em}' +
    '.ngo-pages{display:flex;flex-wrap:wrap;gap:.3rem;margin:.75rem 0 0}' +
    '.ngo-pages button{font:inherit;font-size:.875rem;min-width:2.2rem;padding:.25rem .55rem;border:1px solid #c4ccd4;border-radius:.4rem;background:#fff;color:inherit;cursor:pointer}' +
    '.ngo-pages button[aria-current="page"]{background:var(--ngo-accent);border-color:var(--ngo-accent);color:#fff}' +
    '.ngo-pages button:disabled{opacity:.45;cursor:default}';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** The server's snippet HTML → nodes: text and <mark> only, whatever the string holds. */
  function snippetNodes(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    var out = document.createDocumentFragment();
    tpl.content.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === 'MARK') out.appendChild(el('mark', null, n.textContent));
      else out.appendChild(document.createTextNode(n.textContent || ''));
    });
    return out;
  }

  function mount(root) {
    if (!document.getElementById('ngo-search-style')) {
      var style = el('style');
      style.id = 'ngo-search-style';
      style.textContent = CSS;
      document.head.appendChild(style);
    }
    if (PAGE) {
      document.documentElement.lang = UI;
      document.title = T.title + ' · ngo-search';
      document.querySelectorAll('[data-i18n]').forEach(function (n) {
        var s = T[n.getAttribute('data-i18n')];
        if (typeof s === 'string') n.textContent = s;
      });
    }
    var box = el('div', 'ngo-search');
    box.setAttribute('lang', UI);
    var form = el('form', 'ngo-form');
    form.setAttribute('role', 'search');
    var input = el('input', 'ngo-input');
    input.type = 'search';
    input.name = 'q';
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.placeholder = T.placeholder;
    input.setAttribute('aria-label', T.label);
    form.appendChild(input);
    var facets = el('div', 'ngo-facets');
    facets.setAttribute('role', 'group');
    facets.setAttribute('aria-label', T.languages);
    var status = el('div', 'ngo-status');
    status.setAttribute('aria-live', 'polite');
    var hits = el('ol', 'ngo-hits');
    var pages = el('nav', 'ngo-pages');
    pages.setAttribute('aria-label', T.pages);
    box.append(form, facets, status, hits, pages);
    root.textContent = '';
    root.appendChild(box);

    var st = { q: '', lang: attr('data-lang'), offset: 0, prefix: false };
    if (PAGE) {
      var u = new URLSearchParams(location.search);
      st.q = u.get('q') || '';
      st.lang = u.get('lang') || st.lang;
      st.offset = Math.max(0, parseInt(u.get('offset') || '0', 10) || 0);
    } else {
      st.q = attr('data-query') || '';
    }
    input.value = st.q;

    var seq = 0;
    var ctrl = null;
    var timer = null;

    function get(params, signal) {
      var qs = Object.keys(params)
        .filter(function (k) { return params[k] !== null && params[k] !== undefined; })
        .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); })
        .join('&');
      return fetch(API + '/search?' + qs, { signal: signal, headers: { Accept: 'application/json' } }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) {
            var e = new Error(body && body.error ? body.error.message : 'HTTP ' + r.status);
            e.param = body && body.error ? body.error.param : null;
            throw e;
          }
          return body;
        });
      });
    }

    function syncUrl() {
      if (!PAGE || !window.history || !history.replaceState) return;
      var u = new URLSearchParams();
      if (st.q.trim()) u.set('q', st.q.trim());
      if (st.lang) u.set('lang', st.lang);
      if (st.offset) u.set('offset', String(st.offset));
      var s = u.toString();
      history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
    }

    function clear() {
      facets.textContent = '';
      hits.textContent = '';
      pages.textContent = '';
      status.textContent = '';
      status.classList.remove('ngo-error');
    }

    function run() {
      var q = st.q.trim();
      syncUrl();
      if (ctrl) ctrl.abort();
      ctrl = window.AbortController ? new AbortController() : null;
      var signal = ctrl ? ctrl.signal : undefined;
      var my = ++seq;
      if (!q) { clear(); return; }
      box.setAttribute('aria-busy', 'true');
      status.classList.remove('ngo-error');
      if (!hits.firstChild) status.textContent = T.searching;
      var base = { q: q, prefix: st.prefix, query_lang: queryLang };
      var main = get(Object.assign({}, base, { lang: st.lang, limit: LIMIT, offset: st.offset }), signal);
      // With a language filter on, the facet counts still come from the unfiltered search.
      var all = st.lang ? get(Object.assign({}, base, { limit: 1, snippets: false }), signal) : null;
      Promise.all([main, all]).then(function (rs) {
        if (my !== seq) return;
        box.removeAttribute('aria-busy');
        render(rs[0], rs[1] || rs[0]);
      }).catch(function (e) {
        if (my !== seq || (e && e.name === 'AbortError')) return;
        box.removeAttribute('aria-busy');
        if (e.param === 'query_lang' && queryLang) {
          queryLang = null; // a language this server does not index: search without the hint
          run();
          return;
        }
        if (e.param === 'lang' && st.lang) {
          st.lang = null;
          run();
          return;
        }
        clear();
        status.classList.add('ngo-error');
        status.textContent = fmt(T.error, { msg: e.message });
      });
    }

    function render(res, unfiltered) {
      // Language facet: "all" and one button per language with its count.
      facets.textContent = '';
      var counts = Object.keys(unfiltered.facets.lang || {}).map(function (k) { return [k, unfiltered.facets.lang[k]]; });
      counts.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
      if (counts.length) {
        var allBtn = el('button', 'ngo-facet', T.all);
        allBtn.type = 'button';
        allBtn.setAttribute('data-lang', '');
        allBtn.setAttribute('aria-pressed', st.lang ? 'false' : 'true');
        allBtn.appendChild(el('span', 'ngo-count', String(unfiltered.total)));
        allBtn.addEventListener('click', function () { st.lang = null; st.offset = 0; run(); });
        facets.appendChild(allBtn);
        counts.forEach(function (c) {
          var b = el('button', 'ngo-facet', langName(c[0]));
          b.type = 'button';
          b.setAttribute('data-lang', c[0]);
          b.setAttribute('lang', c[0]);
          b.setAttribute('aria-pressed', st.lang === c[0] ? 'true' : 'false');
          b.appendChild(el('span', 'ngo-count', String(c[1])));
          b.addEventListener('click', function () { st.lang = st.lang === c[0] ? null : c[0]; st.offset = 0; run(); });
          facets.appendChild(b);
        });
      }
      // Hits.
      hits.textContent = '';
      res.hits.forEach(function (h) {
        var li = el('li', 'ngo-hit');
        li.setAttribute('data-id', h.id);
        var title = el('h3', 'ngo-title');
        var text = h.title || h.id;
        if (h.url && /^https?:\/\//i.test(h.url)) {
          var a = el('a', null, text);
          a.href = h.url;
          a.rel = 'noopener noreferrer';
          title.appendChild(a);
        } else {
          title.textContent = text;
        }
        if (h.lang) title.setAttribute('lang', h.lang);
        var meta = el('div', 'ngo-meta', [langName(h.lang), h.date ? String(h.date).slice(0, 10) : null, h.org]
          .filter(Boolean).join(' · '));
        var snip = el('p', 'ngo-snippet');
        if (h.lang) snip.setAttribute('lang', h.lang);
        snip.appendChild(snippetNodes(h.snippet || ''));
        li.append(title, meta, snip);
        hits.appendChild(li);
      });
      // Status line.
      status.classList.remove('ngo-error');
      if (!res.total) {
        status.textContent = fmt(T.none, { q: res.query });
      } else {
        var from = st.offset + 1;
        var to = st.offset + res.hits.length;
        status.textContent = res.total + ' ' + T.result(res.total) +
          (res.hits.length ? ' · ' + fmt(T.showing, { from: from, to: to }) : '');
      }
      // Pagination.
      pages.textContent = '';
      var last = Math.floor(Math.min(res.total - 1, MAX_OFFSET + LIMIT - 1) / LIMIT);
      var cur = Math.floor(st.offset / LIMIT);
      if (last < 1) return;
      function pageBtn(label, page, current) {
        var b = el('button', null, label);
        b.type = 'button';
        if (page < 0 || page > last) b.disabled = true;
        if (current) b.setAttribute('aria-current', 'page');
        b.addEventListener('click', function () {
          st.offset = Math.min(page * LIMIT, MAX_OFFSET);
          run();
          if (PAGE) window.scrollTo(0, 0);
        });
        pages.appendChild(b);
      }
      pageBtn(T.prev, cur - 1, false);
      var lo = Math.max(0, Math.min(cur - 3, last - 6));
      var hi = Math.min(last, lo + 6);
      for (var p = lo; p <= hi; p++) pageBtn(String(p + 1), p, p === cur);
      pageBtn(T.next, cur + 1, false);
    }

    input.addEventListener('input', function () {
      st.q = input.value;
      st.offset = 0;
      st.prefix = true; // search as you type: the last word may be unfinished
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      st.q = input.value;
      st.offset = 0;
      st.prefix = false;
      run();
    });
    if (st.q.trim()) run();
    if (PAGE && !st.q) input.focus();
  }

  function start() {
    var sel = attr('data-target') || '#search';
    var root = document.querySelector(sel);
    if (!root) {
      if (window.console) console.warn('ngo-search widget: nothing matches data-target ' + sel);
      return;
    }
    mount(root);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
