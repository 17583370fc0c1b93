// The days a steward reads from the history (a finding's first seen, `worklist --new-since DATE`) are calendar days
// on the local clock, while the history stores instants in UTC.

import Foundation

/// The history stores times as UTC timestamps (ISO 8601 with a Z: "2026-06-30T23:30:00Z"), which mean the same
/// whatever the time zone of the machine that reads them. A day a steward reads or asks about is a calendar day on the
/// local clock (the machine's time zone, `TZ`), the clock the generated MHS000Header's time is on: by its UTC date, a
/// nightly run at 00:30 BST would have first seen its findings the day before.
public final class LocalDays {
    public let timeZone: TimeZone
    private let calendar: Calendar
    private let stamps = ISO8601DateFormatter()
    /// Timestamp → day: a history's findings share few timestamps (one a run).
    private var days: [String: String] = [:]

    public init(timeZone: TimeZone = .current) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The local day (CCYY-MM-DD) of a stored timestamp. Text that is not a timestamp is cut to its first ten
    /// characters (the day it names, if any).
    public func day(of timestamp: String) -> String {
        if let known = days[timestamp] { return known }
        let day: String
        if let instant = stamps.date(from: timestamp) {
            let c = calendar.dateComponents([.year, .month, .day], from: instant)
            day = CivilDate(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0).iso
        } else {
            day = String(timestamp.prefix(10))
        }
        days[timestamp] = day
        return day
    }

    /// The stored timestamp of the first instant of the local day `day` (CCYY-MM-DD): a timestamp is on that day or
    /// after it when it is not less than this one (as text). nil when `day` is not a calendar date.
    public func start(of day: String) -> String? {
        let parts = day.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let d = parts[2],
              CivilDate.isValid(year: year, month: month, day: d),
              // Midday is in the day whatever its clock change; its start may not be 00:00 (a change at midnight).
              let midday = calendar.date(from: DateComponents(year: year, month: month, day: d, hour: 12)) else { return nil }
        return stamps.string(from: calendar.startOfDay(for: midday))
    }
}
