"""Correct text layer (copy/paste, search, extraction) for Thai in WeasyPrint 70 PDFs.

Symptom
-------
Glyphs are drawn correctly, but text extracted with pdftotext, pypdf, a viewer's copy
or search is wrong: "สำนักงาน" becomes "สานักงาน", "น้ำ" becomes "นา", or, when a
สระอำ came first in the document, every later า becomes ำ ("รายงาน" -> "รำยงำน").

Root cause
----------
WeasyPrint draws text with character code == glyph id (``/Identity-H`` or, when some
glyphs are missing, the ``WP-Encod-0`` CMap; ``/CIDToGIDMap /Identity``), so the
``/ToUnicode`` CMap can give exactly one string per glyph id, for the whole document.

* ``weasyprint/draw/text.py``, ``draw_first_line()`` ("Create mapping between glyphs
  and Unicode codepoints", lines 193-203) fills ``font.to_unicode[glyph_id]`` with the
  text of the glyph's cluster, only ``if glyph_id not in font.to_unicode``: the first
  occurrence of a glyph decides its text for every later occurrence. Inside a cluster
  of several glyphs, every glyph but the logically last one gets ``''`` and the last one
  gets the whole cluster text.
* HarfBuzz's Thai shaper decomposes SARA AM (U+0E33) into two glyphs, NIKHAHIT
  (``uni0E4D``, or ``uni0E4D0E49`` ligated with a preceding tone mark) + SARA AA
  (``uni0E32``), and merges them (and the tone mark) into one cluster. So the SARA AA
  glyph needs ``'า'`` in "รายงาน" but ``'ำ'`` (or ``''``) in "สำนักงาน", and the
  nikhahit glyph needs ``''`` there but ``'ํ'`` when used alone. One entry per glyph
  cannot express this; whichever context comes first wins and the others are wrong.
  (Same class as WeasyPrint issue #2841 for Arabic.)
* ``weasyprint/pdf/fonts.py``, ``build_fonts_dictionary()`` then writes
  ``font.to_unicode`` verbatim as the ToUnicode CMap.

Fix (``install()``, two wrappers, no WeasyPrint code copied)
-----------------------------------------------------------
1. ``weasyprint.draw.text.draw_first_line`` is wrapped. When it fetches its line
   (``textbox.pango_layout.get_first_line()``, hooked for the call), every glyph gets
   the text of its cluster (whole text on the logically last glyph, ``''`` on the
   others, like upstream) and this text is stored first in ``font.to_unicode``. When
   the glyph id already maps to another text, an alias code is taken from
   ``Font.get_unused_glyph_id(key)`` (codes >= glyph count, the mechanism upstream
   uses for .notdef), mapped to that text and given the real glyph's width, and the
   Pango glyph is swapped for the alias during the original call (then restored), so
   the content stream uses it. Only TrueType fonts get aliases (see 2.).
   Lines with combining marks are also wrapped in
   ``/Span <</ActualText <FEFF...>>> BDC ... EMC``: poppler otherwise moves marks that
   HarfBuzz shifted with an x/y offset (bold "ผู้ใหญ่" -> "ผูใ้ หญ่" in pdftotext's
   default and -layout modes). Not done for right-to-left text (poppler reverses it)
   nor for ``text-overflow: ellipsis`` lines.
2. ``weasyprint.pdf.fonts._build_vector_font_dictionary`` is wrapped: for TrueType
   fonts with codes >= glyph count, it is called with ``font.missing`` emptied, so
   the font keeps ``/Encoding /Identity-H`` (pypdf ignores embedded encoding CMaps
   like upstream's ``WP-Encod-0``, which made it extract garbage as soon as a glyph
   was missing), and a ``/CIDToGIDMap`` stream is added: alias CID -> real glyph,
   missing-glyph CID -> 0 (.notdef), others -> themselves.

The drawing is unchanged (same glyphs, positions and widths; rasterised pages are
pixel-identical). ToUnicode is now right per code, so every extractor that uses it
(pypdf, poppler, pdf.js, MuPDF...) gets the source string; poppler also uses
ActualText.

Upstream proposal: in ``draw_first_line``, when ``font.to_unicode[glyph_id]`` exists
with a different text, emit an alias code (``font.aliases[(glyph_id, text)]``) instead
of keeping the first text; in ``_build_vector_font_dictionary``, map these codes with a
``/CIDToGIDMap`` stream (or, for CFF fonts, with ``<alias> glyph_id`` in
``WP-Encod-0`` instead of ``<alias> 0``). Unlike the closed PR #2869, which added
composite copies of glyphs to the font file, this needs no change to the font.

Limits: CFF-based (OTTO) fonts get no aliases (CIDFontType0 has no ``/CIDToGIDMap``),
only ActualText. Fonts written whole (``full_fonts`` option, fonts used in PDF forms)
take their ToUnicode from the font's cmap, as upstream. Bitmap and colour (emoji)
fonts are left untouched.
"""

import functools
import unicodedata
import warnings

__all__ = ['install']

_ALIAS = 'generator.outputs.pdf_text alias'  # first item of alias keys in Font.missing
_WRAPPED = '_generator_pdf_text_wrapped'


def install():
    """Patch WeasyPrint 70 so that PDF text extraction gives the source text.

    Safe to call many times. Returns True when the patch is active, False (with a
    RuntimeWarning) when WeasyPrint is missing or is not version 70.

    """
    try:
        import weasyprint
        from weasyprint.draw import text as draw_text
        from weasyprint.pdf import fonts as pdf_fonts
    except ImportError as exception:
        warnings.warn(
            f'PDF text fix not installed, WeasyPrint unavailable: {exception}',
            RuntimeWarning, stacklevel=2)
        return False
    if weasyprint.__version__.split('.')[0] != '70':
        warnings.warn(
            f'PDF text fix not installed: written for WeasyPrint 70, found '
            f'{weasyprint.__version__}; Thai text extraction may be wrong.',
            RuntimeWarning, stacklevel=2)
        return False
    if not getattr(draw_text.draw_first_line, _WRAPPED, False):
        draw_text.draw_first_line = _wrap_draw_first_line(draw_text.draw_first_line)
    if not getattr(pdf_fonts._build_vector_font_dictionary, _WRAPPED, False):
        pdf_fonts._build_vector_font_dictionary = _wrap_build_vector_font_dictionary(
            pdf_fonts._build_vector_font_dictionary)
    return True


def _wrap_draw_first_line(original):
    @functools.wraps(original)
    def draw_first_line(stream, textbox, text_overflow, *args, **kwargs):
        layout = textbox.pango_layout
        changed = []  # (PangoGlyphInfo, original glyph id)
        end = [None]  # UTF-8 index of the end of the drawn line

        def get_first_line():
            changed.clear()  # A previous line (ellipsis loop) has been freed.
            line, end[0] = type(layout).get_first_line(layout)
            changed.extend(_use_alias_codes(stream, textbox, line))
            return line, end[0]

        position = len(stream.stream)
        layout.get_first_line = get_first_line
        try:
            result = original(stream, textbox, text_overflow, *args, **kwargs)
        finally:
            del layout.get_first_line
            for glyph_info, glyph_id in changed:
                glyph_info.glyph = glyph_id
        # ActualText for lines with combining marks, so that poppler does not
        # reorder marks that HarfBuzz shifted. Not for right-to-left text (poppler
        # would reverse it) nor Pango-ellipsized lines (drawn text is shorter).
        text = layout.text.encode()[:end[0]].decode()
        if (len(stream.stream) > position and text_overflow != 'ellipsis' and
                any(unicodedata.category(char)[0] == 'M' for char in text) and
                not any(unicodedata.bidirectional(char) in ('R', 'AL')
                        for char in text)):
            actual_text = ('\ufeff' + text).encode('utf-16-be').hex()
            stream.stream.insert(
                position, f'/Span <</ActualText <{actual_text}>>> BDC'.encode())
            stream.stream.append(b'EMC')
        return result

    setattr(draw_first_line, _WRAPPED, True)
    return draw_first_line


def _use_alias_codes(stream, textbox, line):
    """Set text of each glyph of line, swap glyph ids for alias codes when needed."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    changed = []
    utf8_text = textbox.pango_layout.text.encode()
    run = line.runs
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        pango_font = glyph_item.item.analysis.font
        font, font_size = stream.add_font(pango_font)
        if font.bitmap or font.png or font.svg or font.colr:
            continue
        truetype = font.type == 'ttf'  # Only CIDFontType2 has /CIDToGIDMap.
        if pango.pango_version() < 14802:  # As in draw_first_line.
            font_size = textbox.style['font_size']
        glyphs, count = glyph_item.glyphs.glyphs, glyph_item.glyphs.num_glyphs
        clusters = glyph_item.glyphs.log_clusters[0:count]
        starts = sorted(set(clusters)) + [glyph_item.item.length]
        ends = dict(zip(starts, starts[1:]))
        offset = glyph_item.item.offset
        step = -1 if glyph_item.item.analysis.level % 2 else 1  # rtl: visual order
        for i in range(count):
            glyph_id = glyphs[i].glyph
            if (glyph_id == pango.PANGO_GLYPH_EMPTY or
                    glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG):
                continue
            if 0 <= i + step < count and clusters[i + step] == clusters[i]:
                text = ''  # Not the logically last glyph of its cluster.
            else:
                start = offset + clusters[i]
                text = utf8_text[start:offset + ends[clusters[i]]].decode()
            if font.to_unicode.setdefault(glyph_id, text) == text or not truetype:
                continue
            code = font.get_unused_glyph_id((_ALIAS, glyph_id, text))
            font.to_unicode[code] = text
            if glyph_id not in font.widths:
                pango.pango_font_get_glyph_extents(
                    pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                font.widths[glyph_id] = round(
                    stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
            font.widths[code] = font.widths[glyph_id]
            changed.append((glyphs[i], glyph_id))
            glyphs[i].glyph = code
    return changed


def _wrap_build_vector_font_dictionary(original):
    @functools.wraps(original)
    def _build_vector_font_dictionary(font_dictionary, pdf, font, *args, **kwargs):
        if font.type != 'ttf' or not font.missing:
            return original(font_dictionary, pdf, font, *args, **kwargs)
        # Codes >= glyph count (alias codes, and upstream's codes for missing
        # glyphs): keep /Identity-H (pypdf ignores embedded encoding CMaps such as
        # upstream's WP-Encod-0) and map CIDs to glyphs with /CIDToGIDMap.
        cid_to_gid = {
            code: key[1] if isinstance(key, tuple) and key[0] == _ALIAS else 0
            for key, code in font.missing.items()}
        missing, font.missing = font.missing, {}
        try:
            result = original(font_dictionary, pdf, font, *args, **kwargs)
        finally:
            font.missing = missing
        import pydyf
        stream = pydyf.Stream([b''.join(
            cid_to_gid.get(cid, cid).to_bytes(2, 'big')
            for cid in range(max(cid_to_gid) + 1))], compress=True)
        pdf.add_object(stream)
        cid_font = pdf.objects[int(font_dictionary['DescendantFonts'][0].split()[0])]
        cid_font['CIDToGIDMap'] = stream.reference
        return result

    setattr(_build_vector_font_dictionary, _WRAPPED, True)
    return _build_vector_font_dictionary
