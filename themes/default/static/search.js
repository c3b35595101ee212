// The search page: asks the Pagefind index of this page's language and lists
// what it finds (headline, date, excerpt). Pagefind loads its index files
// relative to its own script, so this works under any path on any static host.
//
// Pagefind has no Ukrainian stemmer: for Ukrainian pages each word of the
// query loses a case ending first, and Pagefind matches what is left
// as the beginning of a word, so "Ірану" finds "Іран", "Ірану" and "Іраном".

const form = document.querySelector("form.search");
const input = form.querySelector("input[name=q]");
const status = document.querySelector(".search-status");
const list = document.querySelector(".search-results");
const words = form.dataset;

// Case endings of nouns and adjectives, longest first (verbs are left alone:
// their endings clash with nouns'). A stem keeps at least 3 letters.
const UKRAINIAN_ENDINGS = [
  "ськими", "ського", "ському", "ською", "ській",
  "іями", "ією", "ями", "ами", "ого", "ому", "ими", "іми", "іям", "іях",
  "ах", "ях", "ам", "ям", "ою", "ею", "єю", "ів", "їв", "ий", "ій", "ої", "ом", "ем", "єм",
  "им", "ім", "ую", "юю", "ія", "ії", "ію",
  "а", "я", "у", "ю", "і", "ї", "и", "е", "є", "о", "ь", "й",
];

export function ukrainianStem(word) {
  const lower = word.toLocaleLowerCase("uk");
  for (const ending of UKRAINIAN_ENDINGS) {
    if (lower.endsWith(ending) && lower.length - ending.length >= 3) {
      return lower.slice(0, lower.length - ending.length);
    }
  }
  return lower;
}

export function prepareQuery(query, stemming) {
  // One apostrophe for all the ways Ukrainian writes it: м'ята, м’ята, мʼята.
  const text = query.normalize("NFC").replace(/[’ʼ`‘]/g, "'").trim();
  if (stemming !== "uk") return text;
  return text.split(/\s+/).map(ukrainianStem).join(" ");
}

let pagefind = null;

// The index comes in parts (one per month of recent stories, one per year before that, one for
// the standalone pages, each in shares when it is large; pagefind/parts.json lists each
// language's, newest first): the newest
// part is loaded, the others are merged into it.
async function loadIndex() {
  if (pagefind === null) {
    const bundles = new URL(words.bundle, document.baseURI);
    const baseUrl = new URL(words.root, document.baseURI).pathname;
    const response = await fetch(new URL("parts.json", bundles));
    if (!response.ok) throw new Error("no index");
    const parts = (await response.json())[document.documentElement.lang] || [];
    if (parts.length === 0) throw new Error("no index for this language");
    const loaded = await import(new URL(parts[0] + "/pagefind.js", bundles).href);
    await loaded.options({ baseUrl });
    // All at once: each merge fetches its part's entry and metadata, and one after another
    // they were most of a first query's time on a large archive.
    await Promise.all(parts.slice(1).map((part) => loaded.mergeIndex(new URL(part + "/", bundles).href, { baseUrl })));
    pagefind = loaded;
  }
  return pagefind;
}

function show(message) {
  status.textContent = message;
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const heading = document.createElement("h2");
  heading.append(link);
  item.append(heading);
  if (data.meta.date) {
    const date = document.createElement("p");
    date.className = "date";
    date.textContent = data.meta.date;
    item.append(date);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  // Pagefind's excerpt is escaped text with <mark> around the matches: keep only those.
  const parsed = new DOMParser().parseFromString(data.excerpt, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      excerpt.append(mark);
    } else {
      excerpt.append(node.textContent);
    }
  }
  item.append(excerpt);
  return item;
}

async function run(query) {
  list.replaceChildren();
  if (!query.trim()) {
    show("");
    return;
  }
  show(words.searching);
  let index;
  try {
    index = await loadIndex();
  } catch (error) {
    show(words.unavailable);
    return;
  }
  const search = await index.search(prepareQuery(query, words.stemming));
  const found = await Promise.all(search.results.slice(0, 20).map((result) => result.data()));
  list.replaceChildren(...found.map(resultItem));
  show(found.length ? "" : words.nothing);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value;
  const url = new URL(location.href);
  url.searchParams.set("q", query);
  history.replaceState(null, "", url);
  run(query);
});

const initial = new URL(location.href).searchParams.get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
