#!/usr/bin/env python3
"""Makes the workbook fixtures for Tests/MHDQTests/Ingest (run from any folder; writes next to this file).

Hand-made workbooks are zipped with zipfile so each edge case is exactly as written here.
Real-tool workbooks need openpyxl (pip install openpyxl) and LibreOffice (soffice); those
steps are skipped with a note when the tool is missing, leaving the committed files as they are.
"""
import os, shutil, subprocess, sys, tempfile, zipfile, zlib, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
os.chdir(HERE)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def rels(items):
    body = "".join(f'<Relationship Id="{i}" Type="{REL}/{t}" Target="{target}"/>' for i, t, target in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">{body}</Relationships>'


def workbook_xml(sheets, date1904=False):
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    body = "".join(
        f'<sheet name="{name}" sheetId="{k + 1}"{f" state={chr(34)}{state}{chr(34)}" if state else ""} r:id="rId{k + 1}"/>'
        for k, (name, state) in enumerate(sheets))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS}>{pr}<sheets>{body}</sheets></workbook>'


def sheet_xml(rows_xml, after=""):
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData>{rows_xml}</sheetData>{after}</worksheet>'


STYLES = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {NS}>
<numFmts count="4"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/><numFmt numFmtId="165" formatCode="[Red]0.00"/>
<numFmt numFmtId="166" formatCode="&quot;days&quot;\\ 0"/><numFmt numFmtId="167" formatCode="[$-809]dd\\ mmmm\\ yyyy;@"/></numFmts>
<cellStyleXfs count="2"><xf numFmtId="14"/><xf numFmtId="0"/></cellStyleXfs>
<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="22"/><xf numFmtId="167"/></cellXfs>
</styleSheet>'''


def write_zip(name, parts, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(name, "w", method) as z:
        for path, text in parts:
            # A fixed timestamp keeps re-runs byte-identical.
            info = zipfile.ZipInfo(path, date_time=(2023, 4, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, text.encode("utf-8") if isinstance(text, str) else text)


def standard(sheets, sheet_bodies, shared=None, styles=STYLES, date1904=False, extra_parts=()):
    """Parts of a conventional workbook: xl/workbook.xml, xl/worksheets/sheetN.xml."""
    wb_rels = [(f"rId{k + 1}", "worksheet", f"worksheets/sheet{k + 1}.xml") for k in range(len(sheets))]
    parts = [("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml")])),
             ("xl/workbook.xml", workbook_xml(sheets, date1904))]
    if shared is not None:
        wb_rels.append(("rIdS", "sharedStrings", "sharedStrings.xml"))
        parts.append(("xl/sharedStrings.xml",
                      f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS} count="{len(shared)}" uniqueCount="{len(shared)}">{"".join(shared)}</sst>'))
    if styles is not None:
        wb_rels.append(("rIdT", "styles", "styles.xml"))
        parts.append(("xl/styles.xml", styles))
    parts.append(("xl/_rels/workbook.xml.rels", rels(wb_rels)))
    for k, body in enumerate(sheet_bodies):
        parts.append((f"xl/worksheets/sheet{k + 1}.xml", body))
    parts.extend(extra_parts)
    return parts


def handmade():
    shared = [
        "<si><t>plain</t></si>",                                                     # 0
        '<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r></si>',            # 1
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>',              # 2 phonetic excluded
        "<si><t>line1_x000D_&#10;line2</t></si>",                                    # 3 _x000D_ then LF
        "<si><t>literal _x005F_x000D_ kept</t></si>",                                # 4
        "<si><t/></si>",                                                             # 5 empty
        '<si><t xml:space="preserve">  padded  </t></si>',                           # 6
        "<si><t>A &amp; B &lt;tag&gt;</t></si>",                                     # 7
    ]
    types_rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c></row>'
        '<row r="2"><c r="A2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="B2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>'
        '<c r="C2" t="b"><v>1</v></c><c r="D2" t="b"><v>0</v></c><c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F2" t="e"><v>#N/A</v></c>'
        '<c r="G2" t="d"><v>2023-04-01T00:00:00</v></c><c r="H2" t="d"><v>2023-04-01T13:05:00</v></c>'
        '<c r="I2" t="inlineStr"><is><t>tab_x0009_here</t></is></c></row>'
        '<row r="3"><c r="A3"><v>5</v></c><c r="B3"><v>5.0</v></c><c r="C3"><v>0.1</v></c><c r="D3"><v>123456789012</v></c>'
        '<c r="E3"><v>1E+21</v></c><c r="F3"><v>0.30000000000000004</v></c><c r="G3"><v>-2.5</v></c><c r="H3"><f>SUM(A3:B3)</f><v>10</v></c>'
        '<c r="I3"><v>1.0000000000000001E-5</v></c><c r="J3" s="3"><v>12.5</v></c><c r="K3" s="4"><v>7</v></c></row>'
        '<row r="5"><c r="B5" s="1"><v>45017</v></c><c r="D5" s="2"><v>45017.545138888891</v></c><c r="F5" s="5"><v>45017.5</v></c>'
        '<c r="G5" s="6"><v>45017</v></c><c r="H5" s="1"/><c r="I5" s="3"/></row>'
        '<row r="6"><c r="A6" s="1"/><c r="B6" t="s"><v>5</v></c></row>'
        '<row><c t="inlineStr"><is><t>no r 1</t></is></c><c><v>2</v></c></row>'
        '<row><c r="C8"><v>3</v></c><c><v>4</v></c></row>'
        '<row r="10"><c r="A10" t="inlineStr"><is><t>merged</t></is></c><c r="B10"/><c r="C10"/><c r="D10"><v>1</v></c></row>'
    )
    merge = '<mergeCells count="1"><mergeCell ref="A10:C10"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    wide = "".join(f'<c r="{col_name(c)}1"><v>{c}</v></c>' for c in range(1, 16385))
    sheets = [("Types", None), ("Secret", "hidden"), ("Empty", None), ("Wide", None), ("VeryHidden", "veryHidden")]
    bodies = [sheet_xml(types_rows, merge),
              sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>hidden value</t></is></c></row>'),
              sheet_xml(""),
              sheet_xml(f'<row r="1">{wide}</row><row r="2"><c r="XFD2" t="inlineStr"><is><t>last</t></is></c></row>'),
              sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')]
    write_zip("handmade.xlsx", standard(sheets, bodies, shared=shared))

    # 1900 date system: the Lotus leap-year bug around serial 60, times, rounding, the last date.
    serials = ["1", "59", "60", "61", "0.5", "45017", "45017.545138888891", "45017.999999999", "2958465", "-1", "3000000"]
    row = "".join(f'<c r="{col_name(k + 1)}1" s="1"><v>{v}</v></c>' for k, v in enumerate(serials))
    write_zip("dates1900.xlsx", standard([("Dates", None)], [sheet_xml(f'<row r="1">{row}</row>')]))
    serials1904 = ["0", "1", "43555", "43555.25"]
    row = "".join(f'<c r="{col_name(k + 1)}1" s="1"><v>{v}</v></c>' for k, v in enumerate(serials1904))
    write_zip("dates1904.xlsx", standard([("Dates", None)], [sheet_xml(f'<row r="1">{row}</row>')], date1904=True))

    # Non-standard part paths: absolute and relative targets, no [Content_Types].xml, no styles.
    parts = [
        ("_rels/.rels", rels([("rId1", "officeDocument", "/book/main.xml")])),
        ("book/main.xml", workbook_xml([("First", None), ("Second", None)])),
        ("book/_rels/main.xml.rels", rels([("rId1", "worksheet", "/sheets/one.xml"),
                                           ("rId2", "worksheet", "../other/two.xml"),
                                           ("rId9", "sharedStrings", "strings/table.xml")])),
        ("book/strings/table.xml", f'<sst {NS}><si><t>from shared</t></si></sst>'),
        ("sheets/one.xml", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')),
        ("other/two.xml", sheet_xml('<row r="2"><c r="B2"><v>2</v></c></row>')),
    ]
    write_zip("nonstandard_paths.xlsx", parts)

    # ZIP64 directory records and extra fields.
    zip64_workbook("zip64.xlsx", standard([("Z", None)], [sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>zip64</t></is></c><c r="B1"><v>64</v></c></row>')], styles=None))

    # Stored (uncompressed) entries.
    write_zip("stored.xlsx", standard([("S", None)], [sheet_xml('<row r="1"><c r="A1"><v>42</v></c></row>')]), zipfile.ZIP_STORED)


def spreadsheetml_2003():
    """A hand-made XML Spreadsheet 2003 file: indexes, merges, every Data type, a comment, a hidden sheet."""
    open("handmade2003.xml", "w").write('''<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="Hidden first">
  <Table><Row><Cell><Data ss:Type="String">secret</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
 <Worksheet ss:Name="Data">
  <Table ss:ExpandedColumnCount="6" ss:ExpandedRowCount="9">
   <Row><Cell><Data ss:Type="String">Name</Data></Cell><Cell><Data ss:Type="String">When</Data></Cell><Cell><Data ss:Type="String">Count</Data></Cell><Cell><Data ss:Type="String">OK</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">Ann &amp; Bo</Data><Comment ss:Author="x"><ss:Data><B>note</B></ss:Data></Comment></Cell>
    <Cell><Data ss:Type="DateTime">2023-04-01T00:00:00.000</Data></Cell><Cell><Data ss:Type="Number">5.0</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
   <Row ss:Index="4"><Cell ss:Index="2"><Data ss:Type="DateTime">2023-04-01T13:05:00.000</Data></Cell><Cell ss:Formula="=1/0"><Data ss:Type="Error">#DIV/0!</Data></Cell><Cell><Data ss:Type="Boolean">0</Data></Cell></Row>
   <Row><Cell ss:MergeAcross="1"><Data ss:Type="String">merged</Data></Cell><Cell><Data ss:Type="Number">0.30000000000000004</Data></Cell><Cell><Data ss:Type="Number">1E+21</Data></Cell></Row>
   <Row><Cell ss:StyleID="s1"/></Row>
   <Row ss:Span="1" ss:Height="20"/>
   <Row><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>rich</B> text</ss:Data></Cell><Cell ss:Index="6"><Data ss:Type="Number">123456789012</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Empty"><Table/></Worksheet>
</Workbook>
''')


def col_name(n):
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def hostile():
    good = open("handmade.xlsx", "rb").read()
    open("hostile_truncated.xlsx", "wb").write(good[: len(good) // 2])
    open("hostile_ole.xlsx", "wb").write(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)

    # Corrupt deflate stream: overwrite the middle of the sheet entry's compressed bytes.
    parts = standard([("S", None)], [sheet_xml("".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 2000)))])
    write_zip("hostile_corrupt_deflate.xlsx", parts)
    data = bytearray(open("hostile_corrupt_deflate.xlsx", "rb").read())
    with zipfile.ZipFile("hostile_corrupt_deflate.xlsx") as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] = 0xFF
    open("hostile_corrupt_deflate.xlsx", "wb").write(bytes(data))

    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + \
        f']><worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    write_zip("hostile_billion_laughs.xlsx", standard([("S", None)], [laughs]))

    # A real high-ratio bomb: 50 MB of zeros inside a cell, deflated to ~50 KB.
    zeros = b'<?xml version="1.0"?><worksheet ' + NS.encode() + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + \
        b"0" * (50 << 20) + b"</t></is></c></row></sheetData></worksheet>"
    write_zip("hostile_bomb.xlsx", standard([("S", None)], [zeros]))

    # An entry whose headers claim 10 GB (ZIP64) while holding a small sheet.
    write_zip("hostile_claims_10gb.xlsx", standard([("S", None)], [sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')]))
    patch_sizes("hostile_claims_10gb.xlsx", "xl/worksheets/sheet1.xml", 10 * 10**9)

    # A damaged entry whose bytes inflate cleanly but do not match their CRC-32.
    write_zip("hostile_bad_crc.xlsx", standard([("S", None)], [sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', '<pageMargins left="0.7"/>')]))
    data = bytearray(open("hostile_bad_crc.xlsx", "rb").read())
    pos = central_entry(data, "xl/worksheets/sheet1.xml")
    data[pos + 16] ^= 0xFF
    open("hostile_bad_crc.xlsx", "wb").write(bytes(data))

    # An encrypted entry (general purpose bit 0).
    write_zip("hostile_encrypted_entry.xlsx", standard([("S", None)], [sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')]))
    set_flag("hostile_encrypted_entry.xlsx", "xl/worksheets/sheet1.xml", 1)


def zip64_workbook(name, parts):
    """Writes a workbook as a ZIP64 archive by hand: every size and offset in the central
    directory saturated (0xFFFFFFFF) with the real values in ZIP64 extra fields, a ZIP64 end
    of central directory record and locator, and an end record whose counts are saturated too.
    """
    out = bytearray()
    central = bytearray()
    for path, text in parts:
        raw = text.encode("utf-8")
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = comp.compress(raw) + comp.flush()
        crc = zlib.crc32(raw)
        offset = len(out)
        fname = path.encode()
        local_extra = (1).to_bytes(2, "little") + (16).to_bytes(2, "little") + len(raw).to_bytes(8, "little") + len(data).to_bytes(8, "little")
        out += b"PK\x03\x04" + (45).to_bytes(2, "little") + (0).to_bytes(2, "little") + (8).to_bytes(2, "little") + (0).to_bytes(4, "little")
        out += crc.to_bytes(4, "little") + b"\xff" * 8 + len(fname).to_bytes(2, "little") + len(local_extra).to_bytes(2, "little") + fname + local_extra
        out += data
        extra = (1).to_bytes(2, "little") + (24).to_bytes(2, "little") + len(raw).to_bytes(8, "little") + len(data).to_bytes(8, "little") + offset.to_bytes(8, "little")
        central += b"PK\x01\x02" + (45).to_bytes(2, "little") + (45).to_bytes(2, "little") + (0).to_bytes(2, "little") + (8).to_bytes(2, "little")
        central += (0).to_bytes(4, "little") + crc.to_bytes(4, "little") + b"\xff" * 8 + len(fname).to_bytes(2, "little")
        central += len(extra).to_bytes(2, "little") + (0).to_bytes(2, "little") * 3 + (0).to_bytes(4, "little") + b"\xff" * 4 + fname + extra
    cd_offset = len(out)
    out += central
    record_offset = len(out)
    count = len(parts)
    out += b"PK\x06\x06" + (44).to_bytes(8, "little") + (45).to_bytes(2, "little") + (45).to_bytes(2, "little") + (0).to_bytes(8, "little")
    out += count.to_bytes(8, "little") + count.to_bytes(8, "little") + len(central).to_bytes(8, "little") + cd_offset.to_bytes(8, "little")
    out += b"PK\x06\x07" + (0).to_bytes(4, "little") + record_offset.to_bytes(8, "little") + (1).to_bytes(4, "little")
    out += b"PK\x05\x06" + (0).to_bytes(4, "little") + b"\xff" * 4 + b"\xff" * 8 + (0).to_bytes(2, "little")
    open(name, "wb").write(bytes(out))


def central_entry(data, name):
    sig = b"PK\x01\x02"
    pos = 0
    while True:
        pos = data.index(sig, pos)
        n = int.from_bytes(data[pos + 28: pos + 30], "little")
        if data[pos + 46: pos + 46 + n] == name.encode():
            return pos
        pos += 4


def patch_sizes(path, name, size):
    """Rewrites the entry's central directory record with ZIP64 sizes claiming `size` bytes."""
    data = bytearray(open(path, "rb").read())
    pos = central_entry(data, name)
    n, m, k = (int.from_bytes(data[pos + o: pos + o + 2], "little") for o in (28, 30, 32))
    comp = int.from_bytes(data[pos + 20: pos + 24], "little")
    extra = (1).to_bytes(2, "little") + (16).to_bytes(2, "little") + size.to_bytes(8, "little") + comp.to_bytes(8, "little")
    data[pos + 20: pos + 28] = b"\xff" * 8
    old_extra_end = pos + 46 + n + m
    data[pos + 30: pos + 32] = (m + len(extra)).to_bytes(2, "little")
    data[old_extra_end:old_extra_end] = extra
    # Central directory grew: fix the EOCD size field.
    eocd = data.rindex(b"PK\x05\x06")
    cd_size = int.from_bytes(data[eocd + 12: eocd + 16], "little") + len(extra)
    data[eocd + 12: eocd + 16] = cd_size.to_bytes(4, "little")
    open(path, "wb").write(bytes(data))


def set_flag(path, name, bit):
    data = bytearray(open(path, "rb").read())
    pos = central_entry(data, name)
    flags = int.from_bytes(data[pos + 8: pos + 10], "little") | bit
    data[pos + 8: pos + 10] = flags.to_bytes(2, "little")
    open(path, "wb").write(bytes(data))


def openpyxl_workbook():
    try:
        import openpyxl
    except ImportError:
        print("openpyxl missing: keeping the committed openpyxl.xlsx", file=sys.stderr)
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append(["LocalPatientID", "ReferralDate", "Age", "Score", "Discharged", "Note"])
    ws.append(["P001", datetime.date(2023, 4, 1), 34, 12.5, True, "first"])
    ws.append(["P002", datetime.datetime(2023, 4, 2, 13, 5), 51, 0.1, False, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["P003", datetime.date(1900, 1, 1), 7, -3, None, "x\ny"])
    ws.merge_cells("A6:C6")
    ws["A6"] = "merged across"
    ws["F6"] = 1e21
    hidden = wb.create_sheet("Lookup")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "code"
    wb.save("openpyxl.xlsx")


def openpyxl_times():
    """Times of day as openpyxl writes them, in each date system: a time is a fraction of a day whatever the epoch,
    so midnight is serial 0 (in the 1904 system also the serial of the date 1904-01-01)."""
    try:
        import openpyxl
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
    except ImportError:
        print("openpyxl missing: keeping the committed times*.xlsx", file=sys.stderr)
        return
    for name, epoch in (("times1900.xlsx", CALENDAR_WINDOWS_1900), ("times1904.xlsx", CALENDAR_MAC_1904)):
        wb = openpyxl.Workbook()
        wb.epoch = epoch
        ws = wb.active
        ws.title = "Times"
        ws.append(["Midnight", "Morning", "Midnight hh:mm", "1.5 hh:mm", "36 hours", "Date", "Date and time"])
        ws.append([datetime.time(0, 0), datetime.time(9, 30), 0, 1.5, datetime.timedelta(hours=36),
                   datetime.date(1904, 1, 1), datetime.datetime(2023, 4, 1, 0, 0)])
        ws["C2"].number_format = "hh:mm"
        ws["D2"].number_format = "hh:mm"
        ws["G2"].number_format = "yyyy-mm-dd hh:mm"
        wb.properties.created = wb.properties.modified = datetime.datetime(2023, 4, 1)
        wb.save(name)


def libreoffice_workbooks():
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("LibreOffice missing: keeping the committed libreoffice.* files", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        fods = os.path.join(tmp, "libreoffice.fods")
        with open(fods, "w") as f:
            f.write(FODS)
        profile = "-env:UserInstallation=file://" + os.path.join(tmp, "profile")
        for target in ("xlsx", "xml:MS Excel 2003 XML"):
            subprocess.run([soffice, profile, "--headless", "--convert-to", target, "--outdir", tmp, fods],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.copy(os.path.join(tmp, "libreoffice.xlsx"), "libreoffice.xlsx")
        shutil.copy(os.path.join(tmp, "libreoffice.xml"), "libreoffice2003.xml")


# A flat ODF spreadsheet: typed cells (text, float, date, date-time, boolean, percentage),
# a merged range, a gap row, and a second sheet.
FODS = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="N1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <number:date-style style:name="N2"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
 <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
 <number:percentage-style style:name="N3"><number:number number:decimal-places="2" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
 <style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
 <style:style style:name="ce3" style:family="table-cell" style:data-style-name="N3"/>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="Returns">
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Area</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Period</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Numerator</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Rate</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Submitted</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Valid</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>North &amp; East</text:p></table:table-cell>
  <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2023-04-01"><text:p>2023-04-01</text:p></table:table-cell>
  <table:table-cell office:value-type="float" office:value="1234"><text:p>1234</text:p></table:table-cell>
  <table:table-cell table:style-name="ce3" office:value-type="percentage" office:value="0.0168"><text:p>1.68%</text:p></table:table-cell>
  <table:table-cell table:style-name="ce2" office:value-type="date" office:date-value="2023-05-02T13:05:00"><text:p>2023-05-02 13:05</text:p></table:table-cell>
  <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
 </table:table-row>
 <table:table-row><table:table-cell table:number-columns-repeated="6"/></table:table-row>
 <table:table-row>
  <table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>Merged total</text:p></table:table-cell>
  <table:covered-table-cell/>
  <table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell>
  <table:table-cell office:value-type="float" office:value="-2.5"><text:p>-2.5</text:p></table:table-cell>
  <table:table-cell/>
  <table:table-cell office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>
 </table:table-row>
</table:table>
<table:table table:name="Notes">
 <table:table-row><table:table-cell office:value-type="string"><text:p>second sheet</text:p></table:table-cell></table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document>
'''

if __name__ == "__main__":
    handmade()
    spreadsheetml_2003()
    hostile()
    openpyxl_workbook()
    openpyxl_times()
    libreoffice_workbooks()
    for name in sorted(os.listdir(".")):
        if not name.endswith(".py"):
            print(f"{os.path.getsize(name):>10}  {name}")
