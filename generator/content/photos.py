"""Photos in story bodies, given the lead photo's care.

A photo alone in its paragraph is a figure. Its caption and credit are written
in the image's title, split by a vertical bar, which reads well as plain
Markdown:

    ![Кличко на брифінгу](klychko.jpg "Віталій Кличко на брифінгу | Фото: УНІАН")

The alt text (in the brackets) says what the photo shows, for those who cannot
see it; the caption is what a reader of the page reads under it. Conversion
makes the figure; rendering (`responsive`) gives each body photo from the
story folder its smaller copies (`srcset`, WebP), `width`/`height` and lazy
loading, once the images' sizes are known.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from typing import Callable, Mapping

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..model import LeadImage


class _Figures(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "p" or len(child) != 1 or (child.text or "").strip() \
                        or (child[0].tail or "").strip():
                    continue
                image = child[0]
                if image.tag == "a" and len(image) == 1 and image[0].tag == "img" and not (image.text or "").strip():
                    image = image[0]  # a linked photo: the link stays around it
                elif image.tag != "img":
                    continue
                title = image.attrib.pop("title", "")
                caption, _, credit = (part.strip() for part in title.partition("|"))
                figure = etree.Element("figure", {"class": "photo"})
                figure.append(child[0])
                if caption or credit:
                    figcaption = etree.SubElement(figure, "figcaption")
                    if caption:
                        figcaption.text = caption
                    if credit:
                        etree.SubElement(figcaption, "span", {"class": "credit"}).text = credit
                figure.tail = child.tail
                parent.remove(child)
                parent.insert(index, figure)


class PhotosExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_Figures(md), "photos", 18)  # after inline (20), before embeds and typography


_IMG = re.compile(r'<img\b([^>]*?)\ssrc="([^"]*)"([^>]*?)\s*/?>')

#: How wide a body photo is on the page: the text column (the default theme's is at most 46rem).
BODY_IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw"


def responsive(body_html: str, images: Mapping[str, LeadImage], href: Callable[[str], str]) -> str:
    """Body photos from the story folder (`images`: published name → sizes) as <picture>s with
    smaller copies, their size, lazy loading; `href(name)` is the file's URL from the page."""
    if not images or "<img" not in body_html:
        return body_html

    def picture(match: re.Match) -> str:
        before, src, after = match.groups()
        image = images.get(html.unescape(src))
        attributes = before + after
        lazy = ' loading="lazy" decoding="async"'
        if image is None:
            return f'<img{attributes} src="{src}"{lazy if "loading=" not in attributes else ""}>'
        size = f' width="{image.width}" height="{image.height}"'
        original = image.srcset(image.mime)
        webp = image.srcset("image/webp")

        def srcset(variants, full: str | None) -> str:
            items = [f"{html.escape(href(v.name))} {v.width}w" for v in variants]
            return ", ".join(items + ([f"{full} {image.width}w"] if full else []))

        own = html.escape(href(image.name))
        img = (f'<img{attributes} src="{own}"'
               + (f' srcset="{srcset(original, own)}" sizes="{BODY_IMAGE_SIZES}"' if original else "")
               + size + lazy + ">")
        if webp and image.mime != "image/webp":
            return (f'<picture><source type="image/webp" srcset="{srcset(webp, None)}" sizes="{BODY_IMAGE_SIZES}">'
                    f"{img}</picture>")
        return img

    return _IMG.sub(picture, body_html)
