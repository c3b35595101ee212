"""Structured data for search engines and aggregators: schema.org JSON-LD.

Story pages carry a `NewsArticle` (with links between its translations) and a
`BreadcrumbList`; front pages a `WebSite` and a `CollectionPage`. The JSON is
made safe to sit inside a <script> element: `<`, `>` and `&` are written as
\\u escapes, so no text an editor types can close the element.
"""
from __future__ import annotations

import json

from markupsafe import Markup

from ..config import Language, SiteConfig
from ..model import LeadImage, Story, Translation
from ..linking.urls import absolute, front_path

CONTEXT = "https://schema.org"


def script_json(data: dict | list) -> Markup:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def publisher(config: SiteConfig, lang: Language) -> dict:
    organization = {"@type": "NewsMediaOrganization", "name": config.publisher or lang.title,
                    "url": config.base_url}
    if config.logo:
        organization["logo"] = {"@type": "ImageObject", "url": absolute(config.base_url, "static/" + config.logo)}
    return organization


def website(config: SiteConfig, lang: Language) -> dict:
    return {"@type": "WebSite", "name": lang.title, "url": absolute(config.base_url, front_path(lang.code)),
            "inLanguage": lang.hreflang}


def news_article(config: SiteConfig, story: Story, t: Translation, lang: Language,
                 lead: LeadImage | None = None) -> list[dict]:
    url = absolute(config.base_url, t.path)
    article: dict = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "headline": t.title,
        "description": t.summary,
        "datePublished": _iso(t.date, t.date_only),
        "dateModified": _iso(t.updated, t.updated_only) if t.updated else _iso(t.date, t.date_only),
        "inLanguage": lang.hreflang,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "publisher": publisher(config, lang),
        "isPartOf": website(config, lang),
    }
    if t.author:
        article["author"] = [{"@type": "Person", "name": t.author}]
    else:
        article["author"] = [publisher(config, lang)]
    if t.image:
        image = {"@type": "ImageObject", "url": absolute(config.base_url, t.path + t.image)}
        if lead is not None:
            image.update(width=lead.width, height=lead.height)
        if t.image_caption:
            image["caption"] = t.image_caption
        if t.image_credit:
            image["creditText"] = t.image_credit
        article["image"] = [image]
    if t.tags:
        article["keywords"] = [tag.name for tag in t.tags]
    source = next(story.translations[c] for c in config.fallback_order() if c in story.translations)
    if source is t:
        others = [o for o in story.translations.values() if o is not t]
        if others:
            article["workTranslation"] = [_work(config, o) for o in others]
    else:
        article["translationOfWork"] = _work(config, source)
    breadcrumbs = {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": lang.title,
             "item": absolute(config.base_url, front_path(lang.code))},
            {"@type": "ListItem", "position": 2, "name": t.title, "item": url},
        ],
    }
    return [article, breadcrumbs]


def _iso(moment, date_only: bool) -> str:
    """A day alone stays a day: a time the editor did not give is not claimed."""
    return moment.date().isoformat() if date_only else moment.isoformat()


def _work(config: SiteConfig, t: Translation) -> dict:
    return {"@type": "NewsArticle", "@id": absolute(config.base_url, t.path),
            "inLanguage": config.language(t.lang).hreflang, "headline": t.title}


def front_page(config: SiteConfig, lang: Language, url: str) -> list[dict]:
    site = {"@context": CONTEXT, **website(config, lang), "publisher": publisher(config, lang)}
    collection = {"@context": CONTEXT, "@type": "CollectionPage", "name": lang.title, "url": url,
                  "inLanguage": lang.hreflang, "isPartOf": website(config, lang)}
    return [site, collection]
