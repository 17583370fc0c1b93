// The report's stylesheet, inline in the page: system fonts only, colours from ReportPalette.

enum ReportStyle {
    static let css = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; background: \(ReportPalette.page); color: \(ReportPalette.text);
      font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    header.masthead, main { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
    header.masthead { padding-top: 24px; }
    .kicker { margin: 0; color: \(ReportPalette.muted); font-size: 14px; text-transform: uppercase; letter-spacing: .06em; }
    h1 { margin: 2px 0 8px; font-size: 30px; line-height: 1.2; }
    h2 { font-size: 22px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid \(ReportPalette.border); }
    h3 { font-size: 18px; margin: 20px 0 2px; }
    h4 { font-size: 15px; margin: 8px 0 0; }
    a { color: \(ReportPalette.link); }
    .meta { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0 0 16px; font-size: 14px; }
    .meta div { display: flex; gap: 6px; }
    .meta dt { color: \(ReportPalette.muted); }
    .meta dd { margin: 0; font-weight: 600; }
    .verdict { margin: 8px 0 16px; padding: 16px 20px; border-radius: 6px; color: \(ReportPalette.page); }
    .verdict.fail { background: \(ReportPalette.failText); }
    .verdict.warn { background: \(ReportPalette.warnText); }
    .verdict.pass { background: \(ReportPalette.passText); }
    .verdict h2 { margin: 0; padding: 0; border: 0; font-size: 32px; }
    .verdict .verdict-label { font-size: 16px; font-weight: 600; text-transform: uppercase; letter-spacing: .08em; margin-right: 8px; }
    .verdict p { margin: 4px 0 0; font-size: 17px; }
    .cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
    .card { background: \(ReportPalette.panel); border-radius: 6px; padding: 12px 14px; border-left: 6px solid \(ReportPalette.border); }
    .card.fail { border-left-color: \(ReportPalette.fail); }
    .card.warn { border-left-color: \(ReportPalette.warn); }
    .card.pass { border-left-color: \(ReportPalette.pass); }
    .card-value { display: block; font-size: 30px; font-weight: 700; line-height: 1.1; }
    .card-label { display: block; font-weight: 600; }
    .card-note { display: block; color: \(ReportPalette.muted); font-size: 14px; }
    h2.points-heading { border: 0; margin: 24px 0 8px; font-size: 20px; padding: 0; }
    .points { margin: 0; padding: 0; list-style: none; }
    .points li { padding: 6px 0; border-bottom: 1px solid \(ReportPalette.grid); }
    .status { display: inline-block; padding: 0 8px; border-radius: 4px; font-weight: 600; font-size: 14px; white-space: nowrap; }
    .status.fail { background: \(ReportPalette.failTint); color: \(ReportPalette.failText); }
    .status.warn { background: \(ReportPalette.warnTint); color: \(ReportPalette.warnText); }
    .status.pass { background: \(ReportPalette.passTint); color: \(ReportPalette.passText); }
    .status.none { background: \(ReportPalette.noneTint); color: \(ReportPalette.noneText); }
    .contents { margin-top: 24px; font-size: 15px; }
    .contents h2 { font-size: 16px; margin: 0 0 4px; border: 0; padding: 0; }
    .contents ol { margin: 0; padding-left: 20px; columns: 2; }
    .lead { margin: 0 0 8px; color: \(ReportPalette.muted); }
    .rule-id { margin: 0; color: \(ReportPalette.muted); font-size: 14px; font-weight: 400; }
    figure { margin: 16px 0 24px; }
    figcaption h3 { margin-top: 0; }
    svg.chart { display: block; max-width: 100%; height: auto; margin-top: 8px; }
    svg.chart text { font-family: inherit; }
    .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 8px 32px; }
    .note { margin: 8px 0; }
    .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 24px; }
    details { margin: 8px 0; }
    summary { cursor: pointer; color: \(ReportPalette.link); font-size: 15px; }
    table.data { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
    table.data caption { text-align: left; font-weight: 600; padding: 4px 0; }
    table.data th, table.data td { text-align: left; padding: 5px 8px; border-bottom: 1px solid \(ReportPalette.border); vertical-align: top; }
    table.data thead th { background: \(ReportPalette.panel); border-bottom: 2px solid \(ReportPalette.axis); }
    table.data tbody th { font-weight: 600; }
    table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.flagged-row th, tr.flagged-row td { background: \(ReportPalette.warnTint); }
    .muted { color: \(ReportPalette.muted); }
    @media print { body { font-size: 12px; } .contents { display: none; } figure { break-inside: avoid; } }

    """
}
