// The small fixed parts of an XLSX package: content types, relationships, workbook and styles.

enum XLSXPackageParts {
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships"
    static let contentTypeBase = "application/vnd.openxmlformats-officedocument.spreadsheetml"

    /// A sheet as the workbook part lists it.
    struct SheetEntry {
        var name: String
        /// 1-based part number: xl/worksheets/sheetN.xml.
        var part: Int
        /// Autofilter range ("A1:K20") to name as the sheet's filter database.
        var filterRange: String?
    }

    static func contentTypes(sheetParts: [Int]) -> String {
        var s = declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        s += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        s += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        s += "<Override PartName=\"/xl/workbook.xml\" ContentType=\"\(contentTypeBase).sheet.main+xml\"/>"
        s += "<Override PartName=\"/xl/styles.xml\" ContentType=\"\(contentTypeBase).styles+xml\"/>"
        for k in sheetParts {
            s += "<Override PartName=\"/xl/worksheets/sheet\(k).xml\" ContentType=\"\(contentTypeBase).worksheet+xml\"/>"
        }
        s += "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
        return s + "</Types>"
    }

    static let rootRelationships = declaration + "<Relationships xmlns=\"\(packageRelationships)\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "<Relationship Id=\"rId2\" Type=\"\(relationshipNamespace)/extended-properties\" Target=\"docProps/app.xml\"/>"
        + "</Relationships>"

    static let appProperties = declaration
        + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
        + "<Application>mhdq \(MHDQVersion.string)</Application></Properties>"

    /// Sheets in tab order; relationship ids follow part numbers (rIdN → sheetN.xml), styles last.
    static func workbook(_ sheets: [SheetEntry]) -> String {
        var s = declaration + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
        s += "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
        for (i, sheet) in sheets.enumerated() {
            s += "<sheet name=\"\(XLSXText.attribute(sheet.name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(sheet.part)\"/>"
        }
        s += "</sheets>"
        let filters = sheets.enumerated().compactMap { i, sheet in sheet.filterRange.map { (i, sheet.name, $0) } }
        if !filters.isEmpty {
            // Excel names each autofilter's range; without the name it still filters, but repairs nothing.
            s += "<definedNames>"
            for (i, name, range) in filters {
                let absolute = range.split(separator: ":").map { absoluteReference(String($0)) }.joined(separator: ":")
                let quoted = "'" + name.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'!" + absolute
                s += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(i)\" hidden=\"1\">\(XLSXText.attribute(quoted))</definedName>"
            }
            s += "</definedNames>"
        }
        return s + "</workbook>"
    }

    static func workbookRelationships(sheetParts: [Int]) -> String {
        var s = declaration + "<Relationships xmlns=\"\(packageRelationships)\">"
        for k in sheetParts {
            s += "<Relationship Id=\"rId\(k)\" Type=\"\(relationshipNamespace)/worksheet\" Target=\"worksheets/sheet\(k).xml\"/>"
        }
        s += "<Relationship Id=\"rId\((sheetParts.max() ?? 0) + 1)\" Type=\"\(relationshipNamespace)/styles\" Target=\"styles.xml\"/>"
        return s + "</Relationships>"
    }

    /// Cell formats, indexed by `XLSXCellStyle.rawValue`: normal, header (bold on grey with a rule
    /// below), bold, link (blue underlined), title (bold, larger).
    static let styles = declaration + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<fonts count=\"4\">"
        + "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><u/><sz val=\"11\"/><color rgb=\"FF0563C1\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><b/><sz val=\"14\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "</fonts>"
        + "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>"
        + "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFD9E1F2\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>"
        + "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>"
        + "<border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"5\">"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
        + "</cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"

    /// "B12" → "$B$12".
    static func absoluteReference(_ ref: String) -> String {
        let letters = ref.prefix { $0.isLetter }
        return "$" + letters + "$" + ref.dropFirst(letters.count)
    }
}
