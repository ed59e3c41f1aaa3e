"""Thai text layer of WeasyPrint PDFs once ``generator.outputs.pdf_text.install()`` is active.

One PDF, one page per case (regular, bold, table cells, text wrapped on narrow lines),
read back with poppler's pdftotext (three modes) and with pypdf. A control PDF made
without the patch, in a fresh interpreter, must look pixel-identical.
"""

import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

weasyprint = pytest.importorskip('weasyprint')
pypdf = pytest.importorskip('pypdf')
fontpkg = pytest.importorskip('fontpkg')

from generator.outputs.pdf_text import install  # noqa: E402
from tests.tools import needs  # noqa: E402

WORDS = (
    'สำนักงาน', 'ดำเนินการ', 'น้ำ', 'รายงาน', 'ผู้ใหญ่', 'กลุ่มออมทรัพย์เพื่อการผลิต',
    'ร้อยละ', 'จัดตั้งแล้ว', 'ที่ทำการ', 'คำแนะนำ')
SENTENCE = ' '.join(WORDS)
PAGES = ('regular', 'bold', 'table', 'wrapped')  # page order in the PDF

needs_poppler = needs('pdftotext', 'pdffonts', 'pdftoppm')


def thai_html():
    regular = Path(fontpkg.path('Sarabun'))
    bold = regular.with_name('Sarabun-Bold.ttf')
    cells = ''.join(
        f'<tr><th>{WORDS[i]}</th><td>{WORDS[i + 1]}</td></tr>'
        for i in range(0, len(WORDS), 2))
    return f'''<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8"><style>
  @font-face {{ font-family: Sarabun; src: url({regular.as_uri()}); font-weight: 400 }}
  @font-face {{ font-family: Sarabun; src: url({bold.as_uri()}); font-weight: 700 }}
  @page {{ size: A4 landscape; margin: 1cm }}
  body {{ font-family: Sarabun; font-size: 11pt }}
  section + section {{ break-before: page }}
  td, th {{ border: 1px solid black; padding: 2px 6px }}
</style></head><body>
  <section><p>{SENTENCE}</p></section>
  <section><p><b>{SENTENCE}</b></p></section>
  <section><table>{cells}</table></section>
  <section><p style="width: 2.5cm">{SENTENCE}</p></section>
</body></html>'''


@pytest.fixture(scope='module')
def pdf_path(tmp_path_factory):
    assert install() is True
    path = tmp_path_factory.mktemp('pdf_text') / 'patched.pdf'
    weasyprint.HTML(string=thai_html()).write_pdf(path)
    return path


@pytest.fixture(scope='module')
def unpatched_pdf_path(tmp_path_factory):
    """Same HTML written by a fresh interpreter in which install() is never called."""
    directory = tmp_path_factory.mktemp('pdf_text_unpatched')
    (directory / 'page.html').write_text(thai_html(), encoding='utf-8')
    script = textwrap.dedent('''
        import sys, weasyprint
        html, pdf = sys.argv[1:]
        weasyprint.HTML(filename=html).write_pdf(pdf)
    ''')
    path = directory / 'unpatched.pdf'
    subprocess.run(
        [sys.executable, '-c', script, str(directory / 'page.html'), str(path)],
        check=True)
    return path


def pdftotext(path, page, *options):
    return subprocess.run(
        ['pdftotext', *options, '-f', str(page), '-l', str(page), str(path), '-'],
        check=True, capture_output=True, text=True).stdout


def pypdf_text(path, page):
    return pypdf.PdfReader(path).pages[page - 1].extract_text()


def check_page(name, text):
    """Every word found exactly; wrapped lines may break inside a Thai word."""
    if name == 'wrapped':
        assert len(text.strip().splitlines()) >= 5, text  # really wrapped
        normalised = ''.join(text.split())
        assert ''.join(SENTENCE.split()) in normalised, text
    else:
        normalised = ' '.join(text.split())
        if name != 'table':
            assert normalised == SENTENCE, text
    for word in WORDS:
        assert word in normalised, f'{word!r} not found in {name} page: {text!r}'


@needs_poppler
@pytest.mark.parametrize('options', [(), ('-raw',), ('-layout',)],
                         ids=['default', 'raw', 'layout'])
@pytest.mark.parametrize('page', range(1, len(PAGES) + 1), ids=PAGES)
def test_pdftotext_extracts_thai_words(pdf_path, page, options):
    check_page(PAGES[page - 1], pdftotext(pdf_path, page, *options))


@pytest.mark.parametrize('page', range(1, len(PAGES) + 1), ids=PAGES)
def test_pypdf_extracts_thai_words(pdf_path, page):
    check_page(PAGES[page - 1], pypdf_text(pdf_path, page))


@needs_poppler
def test_only_sarabun_fonts_embedded(pdf_path):
    output = subprocess.run(
        ['pdffonts', str(pdf_path)], check=True, capture_output=True,
        text=True).stdout
    fonts = [line.split() for line in output.splitlines()[2:] if line.strip()]
    names = {font[0].split('+', 1)[-1] for font in fonts}
    assert names == {'Sarabun', 'Sarabun-Bold'}, output
    for font in fonts:
        # name, type ("CID TrueType"), encoding, emb, sub, uni, object id, generation
        assert font[1:3] == ['CID', 'TrueType'], output
        assert font[-5:-2] == ['yes', 'yes', 'yes'], output  # embedded, subset, ToUnicode


@needs_poppler
def test_glyphs_render_as_without_patch(pdf_path, unpatched_pdf_path, tmp_path):
    from PIL import Image, ImageChops

    for path, prefix in ((pdf_path, 'patched'), (unpatched_pdf_path, 'unpatched')):
        subprocess.run(
            ['pdftoppm', '-r', '72', '-png', str(path), str(tmp_path / prefix)],
            check=True)
    patched = sorted(tmp_path.glob('patched-*.png'))
    unpatched = sorted(tmp_path.glob('unpatched-*.png'))
    assert len(patched) == len(unpatched) == len(PAGES)
    for image, reference in zip(patched, unpatched):
        with Image.open(image) as a, Image.open(reference) as b:
            assert a.size == b.size
            assert ImageChops.difference(a.convert('RGB'), b.convert('RGB')).getbbox() \
                is None, f'{image.name} differs from the unpatched rendering'
            # Not blank: the Thai glyphs are drawn.
            assert a.convert('L').getextrema()[0] < 128


@pytest.mark.skipif(
    weasyprint.__version__.split('.')[0] != '70', reason='bug checked on WeasyPrint 70')
def test_unpatched_weasyprint_70_loses_thai_text(unpatched_pdf_path):
    """Control: without the patch, the same checks fail (the tests see the bug)."""
    text = ' '.join(pypdf_text(unpatched_pdf_path, 1).split())
    assert [word for word in WORDS if word not in text]


def test_install_is_idempotent():
    from weasyprint.draw import text as draw_text
    from weasyprint.pdf import fonts as pdf_fonts

    assert install() is True
    first = draw_text.draw_first_line, pdf_fonts._build_vector_font_dictionary
    assert install() is True
    assert (draw_text.draw_first_line, pdf_fonts._build_vector_font_dictionary) == first
    # Wrapped once: the wrapped function is WeasyPrint's own.
    for function in first:
        assert function.__wrapped__.__module__.startswith('weasyprint.')


def test_install_refuses_other_weasyprint_versions(monkeypatch):
    monkeypatch.setattr(weasyprint, '__version__', '71.0')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert install() is False
    assert any(
        issubclass(warning.category, RuntimeWarning) and '71.0' in str(warning.message)
        for warning in caught)
