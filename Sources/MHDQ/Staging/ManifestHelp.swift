// The manifest format, printed by `mhdq help manifest`.

public enum ManifestHelp {
    public static let text = """
    PIPELINE MANIFEST (TOML subset; paths relative to the manifest)

      [pipeline]
      name = "Trust nightly precheck"
      period = "2026-09"            reporting period, YYYY-MM
      provider = "RX4"              OrgIDProvider (used when no MHS000Header file is given)
      submitter = "RX4"             OrgIDSubmit
      packs = ["mhsds-v6", "ethnicity"]   default: every pack that applies to the tables (each pack once;
                                    packs = [] is refused: mhdq check --no-rules stages alone)
      out = "out"                   default output folder for mhdq run
      history = "history.sqlite"    the run history (default: history.sqlite in the output folder)

      [context]                     reference data that unlocks rules needing it (a file named here
                                    that is not there stops the run, exit 3, naming the key)
      ods = "ods.csv"               organisation codes (code, open date, close date)
      postcodes = "postcodes.csv"   active postcodes (first column)
      portal_org = "RX4"            Submission Portal organisation code
      upload_date = "2026-10-15"    Submission Portal upload date (CCYY-MM-DD, a real date)

      [settings]                    thresholds that override the rule packs' defaults (pack.toml [settings])
      denominator_change_limit = 0.3   e.g. the ascof pack's month-on-month denominator change limit
                                    (a name no pack has a setting for is refused, with the known names)

      [export]                      the MHSDS flat files mhdq run writes (MHS001MPI.csv, ...)
      delimiter = ","               , (default, .csv) | tab (.tsv) | pipe | ; (.txt); --delimiter overrides

      [[source]]                    one per extract (repeat)
      table = "MHS001MPI"           dataset table (Rules/datasets)
      file = "mpi_*.csv"            a file or a glob (several monthly files)
      format = "csv"                csv | xlsx | spreadsheetml (default from the extension)
      delimiter = ","               , tab | ; (default: guessed from the header row)
      encoding = "auto"             auto (UTF-8, Windows-1252 fallback) | utf-8 | windows-1252
      sheet = "Patients"            workbooks: a sheet's name (sheet = "2026" too), or a position: sheet = 1 (first)
      range = "A3:K5000"            workbooks: read only this range
      header_row = 1                row (line) holding the column names
      skip_rows = 0                 rows after the header to ignore
      date_formats = ["dd/mm/yyyy", "yyyy-mm-dd", "d mmm yyyy", "excel-serial"]
      trim = true                   trim spaces around values

      [source.columns]              local column name = dataset field
      "NHS No" = "NHSNumber"        (columns named like a field or one of its aliases map by themselves;
      "DOB" = "PersonBirthDate"      every column named here must be in the file)

      [source.values.EthnicCategory]   local value = code; code-list descriptions map by themselves,
      "Not recorded" = "99"            tolerant of case, hyphens, en dashes, slashes and spacing
    """
}
