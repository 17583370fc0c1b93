// What the terminal views print of the data: control characters made harmless.

import MHDQ

/// Values from the data (record keys, file and column names, area and KPI names) reach a terminal in the text views
/// (check, the run's summary, worklist, history, inspect). A control character there is obeyed, not shown: ESC
/// sequences cleared the screen and printed a coloured fake verdict, CR overwrote a line, a line feed in a quoted
/// value started a fake row. Each is replaced by U+FFFD, as the HTML report does (HTMLText.escape), so what is printed,
/// and what a redirect writes to a file, is the same harmless text.
enum TerminalText {
    /// One value: every C0 control (tab, line feed and carriage return too: a value is one cell of one line), DEL
    /// and every C1 control (0x80-0x9F; 0x9B is CSI on many terminals) becomes U+FFFD.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isControl(scalar) ? "\u{FFFD}" : scalar) }
        return String(out)
    }

    /// A whole rendered view: as `visible`, keeping its own line feeds and tabs (a rule file line quoted in an
    /// error, with its caret line below, keeps its tabs so the caret stays under the column). Applied to every text
    /// view as it is written, so a value a view did not pass through `visible` still cannot move the cursor
    /// anywhere but along its line.
    static func visibleLines(_ text: String) -> String {
        func kept(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\t" || !isControl(s) }
        guard !text.unicodeScalars.allSatisfy(kept) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(kept(scalar) ? scalar : "\u{FFFD}") }
        return String(out)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F ... 0x9F).contains(scalar.value)
    }
}

extension String {
    /// This value as a terminal view prints it (see TerminalText).
    var visible: String { TerminalText.visible(self) }
}
