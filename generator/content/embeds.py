"""Videos and social posts, embedded the way editors share them: a paragraph
that is just the link.

A paragraph holding only a YouTube, Vimeo, Telegram, X (Twitter), Facebook
or Instagram address (bare, `<…>`, or `[title](…)`) becomes a card: the
link, the service's name and a button that loads the player. Nothing is
requested from that host until the reader presses it (the theme's
`embed.js` then puts in the service's own embed frame); without JavaScript
the card is a plain link. Raw `<iframe>`s of these services, pasted from
their "Embed" menus, become the same card.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from ..language.uitext import marker


@dataclass(frozen=True)
class Embed:
    service: str  # "YouTube"
    kind: str  # "video" or "post": what the button says it loads
    link: str  # the address as shared
    frame: str  # the address of the service's embed frame


def embed_for(url: str) -> Embed | None:
    """The embed a shared address stands for, or None."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    path = [p for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    if host in ("youtube.com", "youtube-nocookie.com", "youtu.be"):
        video = None
        if host == "youtu.be" and path:
            video = path[0]
        elif path[:1] == ["watch"] and query.get("v"):
            video = query["v"][0]
        elif len(path) >= 2 and path[0] in ("shorts", "live", "embed", "v"):
            video = path[1]
        if video and re.fullmatch(r"[\w-]{6,20}", video):
            start = _seconds((query.get("t") or query.get("start") or [""])[0])
            frame = f"https://www.youtube-nocookie.com/embed/{video}" + (f"?start={start}" if start else "")
            return Embed("YouTube", "video", url, frame)
    if host in ("vimeo.com", "player.vimeo.com"):
        number = next((p for p in path if p.isdigit()), None)
        if number:
            return Embed("Vimeo", "video", url, f"https://player.vimeo.com/video/{number}")
    if host in ("t.me", "telegram.me"):
        if len(path) >= 2 and path[0] != "s" and path[1].isdigit() or (len(path) >= 3 and path[0] == "s"):
            channel, post = (path[1], path[2]) if path[0] == "s" else (path[0], path[1])
            if re.fullmatch(r"\w{3,}", channel) and post.isdigit():
                return Embed("Telegram", "post", url, f"https://t.me/{channel}/{post}?embed=1")
    if host in ("twitter.com", "x.com"):
        if len(path) >= 3 and path[1] == "status" and path[2].isdigit():
            return Embed("X", "post", url, f"https://platform.twitter.com/embed/Tweet.html?id={path[2]}")
    if host in ("facebook.com", "fb.watch"):
        if host == "fb.watch" or any(p in ("posts", "videos", "photos", "reel") for p in path) \
                or path[:1] in (["permalink.php"], ["watch"], ["story.php"]):
            kind = "video" if host == "fb.watch" or "videos" in path or path[:1] in (["watch"], ["reel"]) else "post"
            plugin = "video.php" if kind == "video" else "post.php"
            return Embed("Facebook", kind, url,
                         f"https://www.facebook.com/plugins/{plugin}?href={quote(url, safe='')}")
    if host == "instagram.com":
        if len(path) >= 2 and path[0] in ("p", "reel", "tv") and re.fullmatch(r"[\w-]+", path[1]):
            return Embed("Instagram", "video" if path[0] != "p" else "post", url,
                         f"https://www.instagram.com/{path[0]}/{path[1]}/embed")
    return None


def _seconds(value: str) -> int:
    """YouTube's `t=90`, `t=1m30s`, `t=90s`."""
    if value.isdigit():
        return int(value)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value)
    if not match or not any(match.groups()):
        return 0
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def card(embed: Embed, title: str = "") -> str:
    """The card for an embed, as HTML. Its words are markers that the page's language fills in."""
    link = html.escape(embed.link)
    text = html.escape(title) if title and title != embed.link else link
    return (f'<figure class="embed" data-embed="{html.escape(embed.frame)}" data-service="{embed.service}">'
            f'<a class="embed-link" href="{link}">{text}</a>'
            f'<button type="button" class="embed-load" hidden data-pagefind-ignore>'
            f'{marker("embed-load-" + embed.kind, embed.service)}</button>'
            f'<span class="embed-note" hidden data-pagefind-ignore>{marker("embed-note", embed.service)}</span>'
            f'<figcaption>{embed.service}</figcaption></figure>')


class _Paragraphs(Treeprocessor):
    """A paragraph that is only a link to a post or video becomes a card."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "p" or len(child) != 1 or (child.text or "").strip() \
                        or (child[0].tail or "").strip() or child[0].tag != "a":
                    continue
                link = child[0]
                if len(link):
                    continue  # a link around an image or formatting: the editor meant it as it is
                embed = embed_for(link.get("href", ""))
                if embed is None:
                    continue
                stashed = self.md.htmlStash.store(card(embed, (link.text or "").strip()))
                replacement = etree.Element("p")
                replacement.text = stashed
                replacement.tail = child.tail
                parent.remove(child)
                parent.insert(index, replacement)


#: `<iframe src="…">` pasted from a service's embed menu (also inside a raw <div>).
_IFRAME = re.compile(r"<iframe\b[^>]*?\ssrc=\"([^\"]+)\"[^>]*>\s*</iframe>", re.I)
_FRAME_TO_LINK = (
    (re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"), "https://www.youtube.com/watch?v={0}"),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{0}"),
    (re.compile(r"^https?://t\.me/(\w+)/(\d+)\?embed="), "https://t.me/{0}/{1}"),
    (re.compile(r"^https?://platform\.twitter\.com/embed/Tweet\.html\?id=(\d+)"), "https://x.com/i/status/{0}"),
    (re.compile(r"^https?://(?:www\.)?instagram\.com/(p|reel|tv)/([\w-]+)/embed"), "https://www.instagram.com/{0}/{1}/"),
)


def frame_link(src: str) -> str | None:
    """The shared address behind a service's embed frame address."""
    src = html.unescape(src)
    for pattern, link in _FRAME_TO_LINK:
        match = pattern.match(src)
        if match:
            return link.format(*match.groups())
    facebook = re.match(r"^https?://(?:www\.)?facebook\.com/plugins/(?:post|video)\.php\?(.*)", src)
    if facebook:
        href = parse_qs(facebook.group(1)).get("href")
        return href[0] if href else None
    return None


class _Frames(Postprocessor):
    """Pasted embed frames of the known services become cards (so nothing loads unasked)."""

    def run(self, text: str) -> str:
        if "<iframe" not in text:
            return text

        def replace(match: re.Match) -> str:
            link = frame_link(match.group(1))
            embed = embed_for(link) if link else None
            return card(embed) if embed else match.group(0)

        return _IFRAME.sub(replace, text)


class EmbedsExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_Paragraphs(md), "embeds", 17)  # after inline (20), before typography (15)
        md.postprocessors.register(_Frames(md), "embed_frames", 5)  # after raw HTML is put back (30)


def is_embed_frame(src: str) -> bool:
    """Whether an iframe's address is a known service's embed frame (`newsgen check` accepts those)."""
    return frame_link(src) is not None
