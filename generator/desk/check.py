"""`newsgen check`: everything a desk may want to know before it publishes, for CI.

First the content, with every problem a build would find (nothing is
written). Then the built output, but only when it is the build of the content
as it is now (its stamp says so): judging an output built from other content
would report problems that are fixed, or miss new ones. A problem the output
shows because of a link in a story body is reported at that story's line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from ..build import BuildOptions, build_time, gather
from ..errors import BuildFailed, Problem, errors_in, format_problems
from .linkcheck import ExternalLink, check_output
from ..incremental.stamp import environment_digest, read_stamp, scan_sources, scanned_digest, source_stamp
from ..linking.urllock import missing_from_output
from ..linking.urls import output_file
from ..stages.write import MARKER


@dataclass
class CheckReport:
    content: str  # what the content check found, in a line
    output: str  # "checked", "missing", "stale", "skipped" or "not checked"
    output_line: str
    problems: list[Problem] = field(default_factory=list)
    external: list[ExternalLink] = field(default_factory=list)
    show_external: bool = False

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems) and self.output in ("checked", "skipped")

    def as_text(self) -> str:
        lines = [format_problems(self.problems, cap=None)] if self.problems else []
        if self.show_external:
            lines += [f"{link.path}:{link.line}: links to {link.url}" for link in self.external]
        lines += [self.content, self.output_line]
        count = len(errors_in(self.problems))
        if count:
            lines.append(f"{count} problem{'s' if count != 1 else ''}")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps({
            "ok": self.ok, "content": self.content, "output": self.output, "output_message": self.output_line,
            "problems": [p.as_json() for p in sorted(self.problems)],
            "external_links": [{"url": e.url, "path": e.path, "line": e.line} for e in self.external]
            if self.show_external else None,
        }, ensure_ascii=False, indent=2)


def check_site(options: BuildOptions, output: bool = True, external: bool = False) -> CheckReport:
    try:
        gathered = gather(replace(options, encode_images=False))
    except BuildFailed as failed:
        count = len(failed.errors)
        return CheckReport(f"content: {count} problem{'s' if count != 1 else ''}", "not checked",
                           "output: not checked (the content has problems)", failed.problems)
    site = gathered.site
    translations = sum(len(s.translations) for s in site.stories.values())
    content = (f"content: no problems ({len(site.stories)} stories, {translations} translations, "
               f"{len(site.pages)} standalone page{'s' if len(site.pages) != 1 else ''})")
    report = CheckReport(content, "skipped", "output: not checked (--content)", list(gathered.warnings),
                         show_external=external)
    if not output:
        return report
    out = options.output_dir
    if not out.is_dir():
        report.output, report.output_line = "missing", f"output: {out} does not exist; run newsgen build"
        return report
    config = site.config
    scanned = scanned_digest(scan_sources(config), build_time(options, config), publish_all=False)
    stamp = source_stamp(config, scanned, environment_digest(config, (options.drafts, False, False)))
    if read_stamp(out / MARKER) != stamp:
        report.output = "stale"
        report.output_line = (f"output: {out} was not built from the content as it is now (or with other "
                              "options); run newsgen build, then check again")
        return report
    checked, problems, links = check_output(site.config, out, _origin(site), options.job_count)
    problems += missing_from_output(site.config, out, problems)
    report.problems += problems
    report.external = links
    report.output = "checked"
    hosts = f", {len(links)} link{'s' if len(links) != 1 else ''} to other hosts" if links else ""
    report.output_line = (f"output: {'no problems' if not errors_in(problems) else 'problems'} ({checked} pages "
                          f"in {out}{hosts})")
    return report


def _origin(site):
    """(page, url) → (story file, line) for URLs that a story body holds."""
    pages = {output_file(t.path): t for stories in (site.stories, site.pages) for story in stories.values()
             for t in story.translations.values()}
    texts: dict[str, list[str]] = {}

    def origin(page: str, url: str) -> tuple[str, int] | None:
        t = pages.get(page)
        if t is None:
            return None
        if t.source not in texts:
            try:
                texts[t.source] = (site.config.root / t.source).read_text(encoding="utf-8-sig").split("\n")
            except OSError:
                texts[t.source] = []
        for number, line in enumerate(texts[t.source], 1):
            if url in line and number >= t.lines.get("body", 1):
                return t.source, number
        return None

    return origin

