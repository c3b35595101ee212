"""Responsive lead images: variants made with Pillow, `srcset` that resolves,
sizes in the markup and structured data, and a cache that a rebuild reuses."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image

from conftest import make_site, story
from generator.build import BuildOptions
from generator.preview.live import LiveSite


def picture(width: int, height: int, kind: str = "JPEG", mode: str = "RGB", exif_orientation: int = 0) -> bytes:
    im = Image.new(mode, (width, height), (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    buffer = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        im.save(buffer, kind, exif=exif)
    else:
        im.save(buffer, kind)
    return buffer.getvalue()


def story_with_image(root: Path, key: str, data: bytes, name: str = "lead.jpg", langs=("ua", "en")) -> None:
    folder = root / "content/news" / key
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    for lang in langs:
        (folder / f"{lang}.md").write_text(story(f"Story {key} {lang}", slug=key, image=name,
                                                  image_caption="A caption", image_credit="'Photo: Getty Images'"),
                                           encoding="utf-8")


def srcset_items(value: str) -> list[tuple[str, int]]:
    items = []
    for item in value.split(","):
        url, width = item.split()
        assert width.endswith("w")
        items.append((url, int(width[:-1])))
    return items


def test_variants_exist_and_srcset_resolves(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(2000, 1000))
    built = build(root)
    assert built.status == 0, built.err
    assert "8 image variants made" in built.out  # 480, 960, 1600 in JPEG; the same and 2000 in WebP; the original
    for lang in ("ua", "en"):
        page_dir = built.output / lang / "2023/11/a"
        doc = built.html(f"{lang}/2023/11/a/")
        img = doc.select_one("figure.lead picture img")
        assert (img["width"], img["height"]) == ("2000", "1000")
        assert img["src"] == "lead.jpg"
        webp = doc.select_one('figure.lead picture source[type="image/webp"]')
        assert img["sizes"] == webp["sizes"]
        jpeg_items = srcset_items(img["srcset"])
        webp_items = srcset_items(webp["srcset"])
        assert [w for _, w in jpeg_items] == [480, 960, 1600, 2000]
        assert [w for _, w in webp_items] == [480, 960, 1600, 2000]
        for url, width in jpeg_items + webp_items:
            with Image.open(page_dir / url) as im:
                assert im.width == width and im.height == width // 2
                assert im.format == ("WEBP" if url.endswith(".webp") else "JPEG")


def test_size_goes_into_structured_data_and_social_cards(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(1200, 675))
    built = build(root)
    doc = built.html("en/2023/11/a/")
    article = json.loads(doc.select('script[type="application/ld+json"]')[0].string)
    assert article["image"] == [{"@type": "ImageObject", "url": "https://example.org/news/en/2023/11/a/lead.jpg",
                                 "width": 1200, "height": 675, "caption": "A caption",
                                 "creditText": "Photo: Getty Images"}]
    assert doc.select_one('meta[property="og:image:width"]')["content"] == "1200"
    assert doc.select_one('meta[property="og:image:height"]')["content"] == "675"


def test_second_build_reencodes_nothing(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(1000, 800))
    first = build(root)
    assert first.status == 0, first.err
    variants = sorted((first.output / "ua/2023/11/a").glob("lead-*"))
    assert [v.name for v in variants] == ["lead-1000w.webp", "lead-480w.jpg", "lead-480w.webp",
                                          "lead-960w.jpg", "lead-960w.webp"]
    cache = sorted((root / ".newsgen-cache/images").rglob("*w.*"))
    assert len(cache) == 5
    stamps = {p.name: p.stat().st_mtime_ns for p in cache}
    # a second story with the same photo, and a rebuild: nothing is encoded again
    story_with_image(root, "b", picture(1000, 800), name="photo.jpg", langs=("ru",))
    second = build(root)
    assert second.status == 0, second.err
    assert "image variants made" not in second.out
    assert {p.name: p.stat().st_mtime_ns for p in sorted((root / ".newsgen-cache/images").rglob("*w.*"))} == stamps
    for v in variants:  # the published files are the cached ones, not new copies
        published = second.output / "ua/2023/11/a" / v.name
        assert published.stat().st_mtime_ns == stamps[v.name.removeprefix("lead-")]
    assert sorted(p.name for p in (second.output / "ru/2023/11/b").glob("photo-*"))[0] == "photo-1000w.webp"
    # a different picture under the same name is encoded again, and the old variants are dropped
    (root / "content/news/a/lead.jpg").write_bytes(picture(600, 600))
    third = build(root)
    assert "4 image variants made" in third.out  # 480 JPEG and WebP, 600 WebP, the original without metadata
    assert third.html("ua/2023/11/a/").select_one("img")["width"] == "600"
    (root / "content/news/b/photo.jpg").write_bytes(picture(600, 600))  # the old picture is used no more
    assert build(root).status == 0
    assert sorted(p.name for p in (root / ".newsgen-cache/images").rglob("*w.*")) == [
        "480w.jpg", "480w.webp", "600w.webp"]  # its variants are gone from the cache


def test_png_with_transparency_and_a_small_image(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "logo", picture(700, 300, "PNG", "RGBA"), name="chart.png")
    story_with_image(root, "tiny", picture(300, 200), name="tiny.jpg")
    built = build(root)
    assert built.status == 0, built.err
    png_dir = built.output / "ua/2023/11/logo"
    with Image.open(png_dir / "chart-480w.webp") as im:
        assert im.mode == "RGBA" and im.size == (480, 206)
    with Image.open(png_dir / "chart-480w.png") as im:
        assert im.format == "PNG" and im.mode == "RGBA"
    tiny = built.html("ua/2023/11/tiny/").select_one("figure.lead")
    assert srcset_items(tiny.select_one("source")["srcset"]) == [("tiny-300w.webp", 300)]
    assert not tiny.select_one("img").has_attr("srcset")  # nothing narrower than the original
    assert tiny.select_one("img")["width"] == "300"


def test_exif_rotation_swaps_width_and_height(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "portrait", picture(1000, 600, exif_orientation=6))  # stored landscape, shown portrait
    built = build(root)
    img = built.html("ua/2023/11/portrait/").select_one("img")
    assert (img["width"], img["height"]) == ("600", "1000")
    with Image.open(built.output / "ua/2023/11/portrait/lead-480w.jpg") as im:
        assert im.size == (480, 800)
        assert 0x0112 not in im.getexif()  # variants carry no metadata


def test_broken_image_is_reported_and_nothing_is_written(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(1000, 800)[:300])  # a JPEG cut short
    built = build(root)
    assert built.status == 1
    assert re.search(r"content/news/a/(ua|en)\.md:\d+: the image `lead.jpg` cannot be (read|resized)", built.err)
    assert not built.output.exists()


def test_a_file_named_like_a_variant_is_an_error(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(1000, 800))
    (root / "content/news/a/lead-480w.jpg").write_bytes(picture(10, 10))
    built = build(root)
    assert built.status == 1
    assert "`lead-480w.jpg` in this story's folder has the name newsgen gives a smaller copy of `lead.jpg`" in built.err


def test_svg_lead_is_published_as_it_is(tmp_path, build):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', name="map.svg")
    built = build(root)
    assert built.status == 0, built.err
    img = built.html("ua/2023/11/a/").select_one("figure.lead img")
    assert img["src"] == "map.svg" and not img.has_attr("srcset")


def test_serve_publishes_the_variants(tmp_path):
    root = make_site(tmp_path / "site")
    story_with_image(root, "a", picture(1000, 800))
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    assert live.media["ua/2023/11/a/lead-480w.webp"].read_bytes()[8:12] == b"WEBP"
    assert b'srcset="lead-480w.webp 480w' in live.page("ua/2023/11/a/index.html")
