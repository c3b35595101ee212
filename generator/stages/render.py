"""Stage 4, render: the linked `Site` → `Page`s in memory.

`plan_pages` lists every page the site has (a `PageSpec` each) so the work can
be split across processes; a `Renderer` turns specs into `Page`s with Jinja2,
one environment per language with that language's UI catalog installed.
Alongside each HTML page it returns its sitemap URL element, so the sitemaps are
made (once every page is rendered) from the same alternates the pages carry.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import traceback
from dataclasses import dataclass
from math import ceil

import jinja2

from ..incremental.cache import CACHE_DIR
from ..config import SiteConfig
from ..theme.context import TemplateContext
from ..theme.context_builder import ContextBuilder
from ..errors import Problem
from babel.support import NullTranslations
from markupsafe import Markup
from ..model import Page, Site
from ..linking.urllock import netlify_redirects, nginx_map
from ..linking.urls import archive_path, front_path, output_file, search_path, tag_index_path, tag_path, year_path
from ..outputs.xmlout import SitemapEntry, SitemapUrl, atom_feed, news_sitemap, news_sitemap_path, robots_txt, sitemap_url

#: Stories in a language's Atom feed.
FEED_SIZE = 20
#: The theme's template that sets the words newsgen puts inside story bodies.
WORDS_TEMPLATE = "words.html"
#: The theme's template of one language's part of 404.html.
NOT_FOUND_TEMPLATE = "not-found.html"


@dataclass(frozen=True)
class PageSpec:
    kind: str  # story, page, front, tag, tags, archive, feed, news-sitemap, chooser, 404, robots
    lang: str = ""
    key: str = ""  # story key or tag key
    number: int = 1


def plan_pages(site: Site) -> list[PageSpec]:
    config = site.config
    specs = [PageSpec("chooser", config.default_language), PageSpec("404", config.default_language),
             PageSpec("robots")]
    for code in config.codes:
        specs.append(PageSpec("feed", code))
        specs.append(PageSpec("news-sitemap", code))
        specs.append(PageSpec("tags", code))
        if config.search:
            specs.append(PageSpec("search", code))
        for number in range(1, page_count(len(site.front[code]), config) + 1):
            specs.append(PageSpec("front", code, number=number))
        for tag in site.tags[code].values():
            for number in range(1, page_count(len(tag.stories), config) + 1):
                specs.append(PageSpec("tag", code, tag.key, number))
        for month, keys in site.archives[code].items():
            for number in range(1, page_count(len(keys), config) + 1):
                specs.append(PageSpec("archive", code, month, number))
        for year in sorted({month[:4] for month in site.archives[code]}, reverse=True):
            specs.append(PageSpec("year", code, year))
    for kind, stories in (("story", site.stories), ("page", site.pages)):
        for key, story in stories.items():
            specs.extend(PageSpec(kind, code, key) for code in story.translations)
    specs.extend(PageSpec("retracted", t.lang, tid) for tid, t in site.retracted.items())
    specs.extend(PageSpec("redirect", tid.rsplit("/", 1)[1], old) for old, tid in site.redirects.items())
    specs += [PageSpec("redirects-netlify"), PageSpec("redirects-nginx")]
    return specs


def spec_output(site: Site, spec: PageSpec) -> str:
    """The file a page is written to, relative to the output folder."""
    kind, lang = spec.kind, spec.lang
    fixed = {"robots": "robots.txt", "feed": f"{lang}/feed.xml", "news-sitemap": news_sitemap_path(lang),
             "redirects-netlify": "_redirects", "redirects-nginx": "nginx-redirects.conf", "404": "404.html",
             "chooser": "index.html"}
    if kind in fixed:
        return fixed[kind]
    if kind in ("story", "page"):
        path = (site.stories if kind == "story" else site.pages)[spec.key].translations[lang].path
    elif kind == "front":
        path = front_path(lang, spec.number)
    elif kind == "tag":
        path = tag_path(site.tags[lang][spec.key].path, spec.number)
    elif kind == "archive":
        path = archive_path(lang, spec.key, spec.number)
    elif kind == "year":
        path = year_path(lang, spec.key)
    elif kind == "tags":
        path = tag_index_path(lang)
    elif kind == "search":
        path = search_path(lang)
    elif kind == "retracted":
        path = site.retracted[spec.key].path
    elif kind == "redirect":
        path = spec.key
    else:
        raise ValueError(f"unknown page kind {kind}")
    return output_file(path)


def page_count(items: int, config: SiteConfig) -> int:
    return max(1, ceil(items / config.per_page))


#: How templates are compiled; part of the compiled-template cache's name, so a change here
#: (or another Jinja) never reuses code compiled the old way.
_TEMPLATE_OPTIONS = dict(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])


def template_environment(config: SiteConfig) -> jinja2.Environment:
    """Jinja for the site's templates, gettext in new style (as every page is rendered). Compiled
    templates are kept in the site's cache: compiling the theme costs ~0.2 s in every process
    of every build, loading it a few milliseconds. Templates are not looked at again once
    loaded (`auto_reload`): Jinja would stat each file a page includes for every page, 40,000
    times at 1,000 stories; serve makes a new environment when a template changes."""
    env = jinja2.Environment(
        auto_reload=False,
        loader=jinja2.FileSystemLoader([str(d) for d in config.template_dirs if d.is_dir()]),
        autoescape=jinja2.select_autoescape(("html", "xml")),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_compiled_templates(config),
        **_TEMPLATE_OPTIONS,
    )
    env.install_null_translations(newstyle=True)  # the i18n extension compiles differently without it
    return env


def _compiled_templates(config: SiteConfig) -> jinja2.BytecodeCache | None:
    tag = hashlib.sha256(repr((jinja2.__version__, _TEMPLATE_OPTIONS)).encode()).hexdigest()[:16]
    folder = config.root / CACHE_DIR / "templates" / tag
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only site compiles every time
    return jinja2.FileSystemBytecodeCache(str(folder))


def check_templates(config: SiteConfig, problems: list[Problem]) -> None:
    """Compile every template, so a syntax error is reported with the content's problems; a
    site's own template that overrides none of the theme's is most likely misnamed."""
    own, theme = config.template_dirs
    if own.is_dir():
        known = {p.relative_to(theme).as_posix() for p in theme.rglob("*") if p.is_file()} if theme.is_dir() else set()
        for path in sorted(own.rglob("*")):
            name = path.relative_to(own).as_posix()
            if path.is_file() and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = f"Did you mean `{close[0]}`?" if close else \
                    f"A site's templates/ holds changed copies of the templates in themes/{config.theme}/templates/"
                problems.append(Problem(f"templates/{name}", 1, f"`{name}` overrides no template of the theme "
                                        f"`{config.theme}`", hint))
    env = template_environment(config)
    for name in env.list_templates(extensions=("html", "xml", "txt")):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as err:
            where = err.filename or str(config.theme_dir / "templates" / (err.name or name))
            problems.append(Problem(_relative_to(where, config.root), err.lineno or 1,
                                    f"template syntax error: {err.message}"))


def _relative_to(filename: str, root) -> str:
    prefix = str(root) + "/"
    return filename[len(prefix):] if filename.startswith(prefix) else filename


class Renderer:
    """Renders page specs; one per process."""

    def __init__(self, site: Site, catalogs: dict[str, NullTranslations], problems: list[Problem]):
        self.site, self.problems = site, problems
        config = site.config
        self.templates_dirs = [str(d) for d in config.template_dirs]
        self.envs, self.builders = {}, {}
        for lang in config.languages:
            env = template_environment(config)
            env.install_gettext_translations(catalogs[lang.code], newstyle=True)
            self.envs[lang.code] = env
            self.builders[lang.code] = ContextBuilder(site, lang, catalogs[lang.code], self._words(env))

    def _not_found_sections(self, first: str) -> tuple[Markup, ...]:
        """The not-found message in each language (the theme's not-found.html), `first` first.
        A static host serves one 404 page wherever a reader strays, so it speaks every language;
        its script puts the one of the address (/en/…) first."""
        order = [first] + [c for c in self.site.config.codes if c != first]
        sections = []
        for code in order:
            context = self.builders[code].not_found()
            sections.append(Markup(self._render_template(code, NOT_FOUND_TEMPLATE, context)))
        return tuple(sections)

    def _words(self, env: jinja2.Environment) -> dict[str, str]:
        """The words newsgen puts in bodies, from the theme's `words.html` in this language (see uitext.py)."""
        try:
            words = env.get_template(WORDS_TEMPLATE).module.words
        except jinja2.TemplateNotFound:
            return {}
        except (jinja2.TemplateError, AttributeError) as err:
            self.problems.append(Problem(f"themes/{self.site.config.theme}/templates/{WORDS_TEMPLATE}", 1,
                                         f"template error: {err}", "It sets `words`, a mapping of names to words"))
            return {}
        return {str(key): str(value) for key, value in words.items()}

    def use_site(self, site: Site) -> None:
        """Render another version of the site with the same templates (serve)."""
        self.site = site
        for builder in self.builders.values():
            builder.use_site(site)

    def render(self, spec: PageSpec) -> tuple[Page, SitemapUrl | None] | None:
        site, config = self.site, self.site.config
        if spec.kind == "robots":
            return Page("robots.txt", robots_txt(config).encode()), None
        if spec.kind == "feed":
            keys = site.front[spec.lang][:FEED_SIZE]
            return Page(f"{spec.lang}/feed.xml", atom_feed(site, spec.lang, keys)), None
        if spec.kind == "news-sitemap":
            return Page(news_sitemap_path(spec.lang), news_sitemap(site, spec.lang, site.now)), None
        if spec.kind == "redirects-netlify":
            return Page("_redirects", netlify_redirects(site).encode()), None
        if spec.kind == "redirects-nginx":
            return Page("nginx-redirects.conf", nginx_map(site).encode()), None
        builder = self.builders[spec.lang]
        if spec.kind in ("story", "page"):
            story = (site.stories if spec.kind == "story" else site.pages)[spec.key]
            context, template = builder.story(story), "story.html"
            t = story.translations[spec.lang]
            lastmod = t.updated or t.date
        elif spec.kind in ("front", "tag", "archive"):
            keys = {"front": lambda: site.front[spec.lang],
                    "tag": lambda: site.tags[spec.lang][spec.key].stories,
                    "archive": lambda: site.archives[spec.lang][spec.key]}[spec.kind]()
            total = page_count(len(keys), config)
            chunk = keys[(spec.number - 1) * config.per_page: spec.number * config.per_page]
            if spec.kind == "front":
                context = builder.front(chunk, spec.number, total)
            elif spec.kind == "tag":
                context = builder.tag(site.tags[spec.lang][spec.key], chunk, spec.number, total)
            else:
                context = builder.archive(spec.key, chunk, spec.number, total)
            template, lastmod = "list.html", None
        elif spec.kind == "year":
            context, template, lastmod = builder.year(spec.key), "year.html", None
        elif spec.kind == "tags":
            context, template, lastmod = builder.tag_index(), "tags.html", None
        elif spec.kind == "search":
            context, template, lastmod = builder.search(), "search.html", None
        elif spec.kind == "retracted":
            context, template, lastmod = builder.retracted(site.retracted[spec.key]), "retracted.html", None
        elif spec.kind == "redirect":
            context, template, lastmod = builder.redirect(spec.key, site.by_id(site.redirects[spec.key])), \
                "redirect.html", None
        elif spec.kind == "chooser":
            context, template, lastmod = builder.chooser(), "chooser.html", None
        elif spec.kind == "404":
            context, template, lastmod = builder.not_found(self._not_found_sections(spec.lang)), "404.html", None
        else:
            raise ValueError(f"unknown page kind {spec.kind}")
        html = self._render_template(spec.lang, template, context)
        if spec.kind == "redirect":
            return Page(output_file(spec.key), html.encode("utf-8")), None
        path = output_file(context.canonical[len(config.base_url):]) if context.canonical else "404.html"
        indexed = context.canonical and not context.robots
        entry = sitemap_url(SitemapEntry(context.canonical, context.alternates, lastmod)) if indexed else None
        return Page(path, html.encode("utf-8")), entry

    def _render_template(self, lang: str, name: str, context: TemplateContext) -> str:
        try:
            return self.envs[lang].get_template(name).render(context.as_dict())
        except jinja2.TemplateSyntaxError as err:
            self.problems.append(Problem(self._template_rel(err.filename or name), err.lineno or 1,
                                         f"template syntax error: {err.message}"))
        except jinja2.TemplateNotFound as err:
            self.problems.append(Problem(self._template_rel(name), 1, f"template `{err.name}` not found in the theme"))
        except Exception as err:  # an error raised while rendering: find the template line
            path, line = self._template_rel(name), 1
            for frame in reversed(traceback.extract_tb(err.__traceback__)):
                if frame.filename.startswith(tuple(self.templates_dirs)):
                    path, line = self._template_rel(frame.filename), frame.lineno
                    break
            message = err.message if isinstance(err, jinja2.TemplateError) and err.message else str(err)
            message = re.sub(r"'generator\.theme\.context\.(\w+) object'", r"\1", message)
            self.problems.append(Problem(path, line, f"template error: {message}"))
        return ""

    def _template_rel(self, filename: str) -> str:
        root = str(self.site.config.root) + "/"
        if filename.startswith(root):
            return filename[len(root):]
        return f"themes/{self.site.config.theme}/templates/{filename}"
