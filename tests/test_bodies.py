"""Story bodies as newsrooms write them: code that is never live, embeds, photos in the
text, other generators' shortcodes, one <h1>, footnotes in the page's language, typography."""
from __future__ import annotations

import re

import pytest

from generator.config import Language
from generator.content.embeds import embed_for
from generator.content.markup import BodyConverter

UA = Language("ua", "uk_UA", "uk", "ua", "Новини")
EN = Language("en", "en_US", "en", "en", "News")
RU = Language("ru", "ru_RU", "ru", "ru", "Новости")

SAMPLE = "<script>alert(1)</script>\n<nav><a href=/>x</a></nav>"
BLOCK = "```html\n" + SAMPLE + "\n```"


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))


NESTINGS = {
    "top level": BLOCK,
    "after a line of text": "Example:\n" + BLOCK,
    "list item": "1. Add this:\n" + indent(BLOCK, "   "),
    "list item, 2 spaces": "- Add this:\n" + indent(BLOCK, "  "),
    "list item after a blank line": "- Add this:\n\n" + indent(BLOCK, "    "),
    "nested list item": "- Setup\n  - Add this:\n" + indent(BLOCK, "    "),
    "blockquote": "> Quoted:\n" + indent(BLOCK, "> "),
    "list in a blockquote": "> - Add this:\n" + indent(BLOCK, ">   "),
    "footnote": "Text[^1].\n\n[^1]: A note:\n\n" + indent(BLOCK, "    "),
    "list item in a blockquote in a footnote": "Text[^1].\n\n[^1]: A note:\n\n" + indent("> - item\n>\n" + indent(BLOCK, ">     "), "    "),
    "indented code": indent(SAMPLE, "    "),
    "inline code": "Write `<script>alert(1)</script>` and `<nav>`.",
    "inline code in a list": "- `<script>alert(1)</script>`\n- `<nav>`",
    "inline code in a quote": "> `<script>alert(1)</script>` `<nav>`",
    "inline code in a table": "| a |\n|---|\n| `<script>alert(1)</script>` `<nav>` |",
    "inline code in a footnote": "Text[^1].\n\n[^1]: `<script>alert(1)</script>` `<nav>`",
    "tilde fence in a list": "1. Do:\n   ~~~\n   <script>alert(1)</script>\n   <nav>\n   ~~~",
}


@pytest.mark.parametrize("nesting", NESTINGS)
def test_code_is_never_live(nesting):
    html = BodyConverter().convert(NESTINGS[nesting], EN)
    assert "<script" not in html and "<nav" not in html, html
    assert "&lt;script&gt;" in html and "&lt;nav" in html, html


# -- embeds ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "service", "frame"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ?t=90", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"),
    ("https://www.youtube.com/shorts/abcdefghijk", "YouTube", "https://www.youtube-nocookie.com/embed/abcdefghijk"),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"),
    ("https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871"),
    ("https://t.me/ukrpravda_news/12345", "Telegram", "https://t.me/ukrpravda_news/12345?embed=1"),
    ("https://t.me/s/ukrpravda_news/12345", "Telegram", "https://t.me/ukrpravda_news/12345?embed=1"),
    ("https://x.com/ZelenskyyUa/status/1727000000000000000", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1727000000000000000"),
    ("https://twitter.com/ZelenskyyUa/status/1727000000000000000", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1727000000000000000"),
    ("https://www.facebook.com/zelenskiy95/posts/pfbid0abc", "Facebook",
     "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fzelenskiy95%2Fposts%2Fpfbid0abc"),
    ("https://www.instagram.com/p/CzAbCdEfGh/", "Instagram", "https://www.instagram.com/p/CzAbCdEfGh/embed"),
])
def test_shared_addresses_become_embeds(url, service, frame):
    embed = embed_for(url)
    assert embed is not None and (embed.service, embed.frame) == (service, frame)


@pytest.mark.parametrize("url", ["https://example.org/watch?v=1", "https://www.youtube.com/", "https://t.me/channel",
                                 "https://x.com/ZelenskyyUa", "https://www.instagram.com/someone/"])
def test_other_addresses_stay_links(url):
    assert embed_for(url) is None


@pytest.mark.parametrize("text", ["https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                  "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>",
                                  "[The speech](https://www.youtube.com/watch?v=dQw4w9WgXcQ)",
                                  '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" '
                                  'title="YouTube video player" frameborder="0" allowfullscreen></iframe>'])
def test_a_paragraph_with_only_the_link_is_a_card_that_loads_nothing(text):
    html = BodyConverter().convert(f"Intro.\n\n{text}\n\nMore.", EN)
    assert '<figure class="embed" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert "<iframe" not in html and "<p><figure" not in html
    assert re.search(r'<a class="embed-link" href="https://www.youtube.com/watch\?v=dQw4w9WgXcQ">', html)


def test_a_link_inside_a_sentence_is_not_an_embed():
    html = BodyConverter().convert("Watch https://www.youtube.com/watch?v=dQw4w9WgXcQ now.", EN)
    assert "embed" not in html and '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">' in html


# -- headings, footnotes, typography ----------------------------------------------------------

@pytest.mark.parametrize(("text", "levels"), [
    ("# Top\n\n## Sub\n\n### Deep", ["h2", "h3", "h4"]),
    ("## Sub\n\n### Deep", ["h2", "h3"]),
    ("### Only h3s\n\n### Again", ["h2", "h2"]),
    ("# Top\n\n#### Skipped two\n\n## Back", ["h2", "h3", "h3"]),
    ("## A\n\n###### Deep\n\n###### Deeper", ["h2", "h3", "h3"]),
])
def test_body_headings_start_under_the_page_headline_and_skip_no_level(text, levels):
    html = BodyConverter().convert(text, EN)
    assert "<h1" not in html
    assert re.findall(r"<(h\d)", html) == levels


@pytest.mark.parametrize(("language", "text", "expected"), [
    (UA, 'Він сказав:"Привіт"', "Він сказав:«Привіт»"),
    (UA, 'Назва:"Кіно", рік=2023', "Назва:«Кіно», рік=2023"),
    (UA, '("Слово")', "(«Слово»)"),
    (RU, 'Ответ:"да", а не "нет"', "Ответ:«да», а не «нет»"),
    (EN, '"Yes," he said.', "“Yes,” he said."),
    (EN, "The '90s were loud", "The '90s were loud"),
    (EN, "Rock 'n' roll lives", "Rock 'n' roll lives"),
    (EN, "Let 'em in, 'til dawn", "Let 'em in, 'til dawn"),
    (EN, "She said 'no' twice", "She said ‘no’ twice"),
    (EN, 'a="b"', "a=“b”"),
])
def test_typography(language, text, expected):
    assert BodyConverter().convert(text, language) == f"<p>{expected}</p>"


def test_elisions_take_the_typographic_apostrophe_when_the_language_asks():
    styled = Language("en", "en_US", "en", "en", "News", typographic_apostrophe=True)
    assert BodyConverter().convert("The '90s, rock 'n' roll, don't", styled) == "<p>The ’90s, rock ’n’ roll, don’t</p>"


# -- shortcodes ---------------------------------------------------------------------------------

def test_shortcodes_are_shown_as_written_and_noted():
    converter = BodyConverter()
    html = converter.convert('{{< toc >}}\n\nText {{< figure src="glenda-vs-tux.jpg" >}} and '
                             '[a link]({{< relref "other.md" >}}).\n\n`{{< code >}}` stays code.', UA)
    assert '<span class="shortcode">{{&lt; toc &gt;}}</span>' in html
    assert '{{&lt; figure src="glenda-vs-tux.jpg" &gt;}}' in html  # straight quotes, not »…»
    assert "a link" in html and "relref" not in html.split("a link")[1].split("</p>")[0]
    assert "<code>{{&lt; code &gt;}}</code>" in html
    assert sorted(converter.shortcodes) == [(1, "{{< toc >}}"), (3, '{{< figure src="glenda-vs-tux.jpg" >}}'),
                                           (3, '{{< relref "other.md" >}}')]
