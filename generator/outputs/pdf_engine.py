"""The PDF engine every report shares: WeasyPrint laying out our HTML in Sarabun.

WeasyPrint fetches nothing but the two Sarabun font files and our own stylesheet folder: every
other URL (file:, http:, data:, …) is refused by `AssetFetcher`, so text from district workbooks
can never make the PDF read or embed a local file. The month's report (`render_pdf`) and the
national one (`render_national`) only assemble their pages and call `html_to_pdf`.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import io
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from generator.core import texts
from generator.outputs import pdf_text
from generator.outputs.formatting import TEMPLATES

STYLESHEET = "report.css"
FONT_FILES = {400: "Sarabun-Regular.ttf", 700: "Sarabun-Bold.ttf"}


def font_dir() -> Path:
    import fontpkg

    return Path(fontpkg.path("Sarabun")).resolve().parent


def _file_url_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


try:
    from weasyprint.urls import URLFetcher as _URLFetcher
    from weasyprint.urls import URLFetcherResponse as _URLFetcherResponse
except ImportError:  # pragma: no cover - WeasyPrint is a dependency; this only keeps render_html importable
    _URLFetcher, _URLFetcherResponse = object, None


class AssetFetcher(_URLFetcher):
    """Serves the Sarabun font files and the stylesheets of generator/report_templates/, and nothing else.

    Every other URL, whatever its scheme (file:, http:, https:, data:, ftp:, …), raises, and is
    recorded in `refused`. No network handler is ever used and redirects are off.
    """

    MEDIA_TYPES = {".ttf": "font/ttf", ".css": "text/css"}

    def __init__(self, extra_files: tuple[Path, ...] = ()):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        fonts = font_dir()
        self.allowed = {(fonts / name).resolve() for name in FONT_FILES.values()}
        self.allowed |= {p.resolve() for p in TEMPLATES.glob("*.css")}
        self.allowed |= {Path(p).resolve() for p in extra_files}
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        path = _file_url_path(str(url))
        if path is None or path not in self.allowed or not path.is_file():
            self.refused.append(str(url))
            raise ValueError(f"refused to fetch {str(url)[:200]!r}: only the report's own fonts and stylesheet")
        self.served.append(str(url))
        media_type = self.MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return _URLFetcherResponse(path.as_uri(), _read_asset(path), {"Content-Type": media_type})

    def open(self, url, data=None, timeout=None):  # never the urllib opener
        return self.fetch(url.full_url if hasattr(url, "full_url") else url)


@functools.cache
def _read_asset(path: Path) -> bytes:
    return path.read_bytes()


def font_face_css() -> str:
    rules = []
    for weight, name in FONT_FILES.items():
        url = (font_dir() / name).as_uri()
        rules.append(f'@font-face {{ font-family: "Sarabun"; font-style: normal; font-weight: {weight}; '
                     f'src: url("{url}") format("truetype"); }}')
    return "\n".join(rules) + "\n"


_lock = threading.Lock()


@functools.cache
def _style():
    """FontConfiguration and the stylesheet with its @font-face rules: loaded once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    css_path = TEMPLATES / STYLESHEET
    fetcher = AssetFetcher()
    css = CSS(string=font_face_css() + css_path.read_text(encoding="utf-8"), base_url=css_path.as_uri(),
              url_fetcher=fetcher, font_config=font_config)
    if fetcher.refused:  # our own stylesheet asked for something outside the allowed files
        raise RuntimeError(f"report.css refers to files that are not served: {fetcher.refused}")
    return font_config, css


# Layouts kept by their HTML, in a process that asked for it (`keep_layouts`): the web page's PDF
# worker lays the month's report out once the month has settled, so the run after the click only
# writes it. Off elsewhere: a national run lays out each province once and would only hold memory.
_layouts: "collections.OrderedDict[str, object]" = collections.OrderedDict()
# And the documents written from them, by layout and attachments (name, bytes, time): the report
# written ahead with the summary made ahead is the run's own when the run attaches that summary.
_written: "collections.OrderedDict[str, bytes]" = collections.OrderedDict()
_keep = 0


def keep_layouts(n: int) -> None:
    global _keep
    _keep = n
    _trim_layouts()


def _trim_layouts() -> None:
    for kept in (_layouts, _written):
        while len(kept) > _keep:
            kept.popitem(last=False)


def _layout_key(html: str, base_url: str) -> str:
    return hashlib.sha256(f"{base_url}\0{html}".encode("utf-8")).hexdigest()


def _laid_out(html: str, base_url: str, fetcher, reuse: bool = True):
    """WeasyPrint's laid-out document for this HTML: kept from an earlier layout of the very same
    HTML when layouts are kept (the same pages; the attachments are added when it is written).
    reuse=False for a caller with its own fetcher, who must see what that fetcher refuses."""
    from weasyprint import HTML

    key = _layout_key(html, base_url)
    if reuse and key in _layouts:
        _layouts.move_to_end(key)
        return _layouts[key]
    font_config, css = _style()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    laid_out = document.render(font_config=font_config, stylesheets=[css], uncompressed_pdf=False)
    if _keep and reuse:
        _layouts[key] = laid_out
        _trim_layouts()
    return laid_out


def lay_out(html: str) -> None:
    """Lay a report out now and keep it (when layouts are kept), to be written later."""
    pdf_text.install()
    with _lock:
        _laid_out(html, (TEMPLATES / "report.html").as_uri(), AssetFetcher())


def warm() -> None:
    """Load WeasyPrint, the fonts and the stylesheet now, so the first report does not wait for them."""
    _style()


def html_to_pdf(html: str, attachments=(), url_fetcher: AssetFetcher | None = None, lang: str = "th",
                base_url: str | None = None) -> bytes:
    """Lay out report HTML with the report stylesheet and Sarabun; attachments are files we wrote.

    `attachments` may also be a function returning them: it is called once the pages are laid out,
    so the files can still be being written meanwhile (the pipeline's PDF worker, generator.outputs.parallel)."""
    from weasyprint import Attachment

    pdf_text.install()  # WeasyPrint's Thai text layer, corrected (see generator.outputs.pdf_text)
    fetcher = url_fetcher or AssetFetcher()
    with _lock:  # FontConfiguration is shared; keep one layout at a time per process
        font_config, css = _style()
        base_url = base_url or (TEMPLATES / "report.html").as_uri()
        reuse = url_fetcher is None
        laid_out = _laid_out(html, base_url, fetcher, reuse=reuse)
        files, identity = [], hashlib.sha256(_layout_key(html, base_url).encode())
        for path in (attachments() if callable(attachments) else attachments):
            path = Path(path)
            data, when = path.read_bytes(), datetime.fromtimestamp(path.stat().st_mtime)
            description = texts.text("pdf.attachment", lang) if path.suffix == ".xlsx" else path.name
            files.append(Attachment(file_obj=io.BytesIO(data), name=path.name, url_fetcher=fetcher,
                                    description=description, created=when, modified=when, relationship="Data"))
            identity.update(repr((path.name, hashlib.sha256(data).hexdigest(), when, description)).encode())
        key = identity.hexdigest()
        if reuse and key in _written:
            _written.move_to_end(key)
            return _written[key]
        pdf = laid_out.write_pdf(stylesheets=[css], attachments=files, uncompressed_pdf=False)
        if _keep and reuse:
            _written[key] = pdf
            _trim_layouts()
        return pdf
