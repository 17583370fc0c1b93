// First-seen days and --new-since dates are local calendar days of the UTC instants the history stores.

import Foundation
import Testing
@testable import MHDQ

@Suite struct LocalDaysTests {
    static let london = TimeZone(identifier: "Europe/London")!

    /// A nightly run at 00:30 BST starts at 23:30 UTC the day before: its day in England is the later one.
    @Test func aTimestampsDayIsTheLocalOne() {
        #expect(LocalDays(timeZone: Self.london).day(of: "2026-06-30T23:30:00Z") == "2026-07-01")
        #expect(LocalDays(timeZone: Self.london).day(of: "2026-12-31T23:30:00Z") == "2026-12-31")
        #expect(LocalDays(timeZone: TimeZone(identifier: "UTC")!).day(of: "2026-06-30T23:30:00Z") == "2026-06-30")
        #expect(LocalDays(timeZone: TimeZone(identifier: "America/Chicago")!).day(of: "2026-07-01T03:00:00Z") == "2026-06-30")
        // Not a timestamp: the day it names, as it was shown before.
        #expect(LocalDays(timeZone: Self.london).day(of: "2026-01-05") == "2026-01-05")
    }

    /// `--new-since DAY` keeps starts from the day's first local instant, written as a stored (UTC) timestamp.
    @Test func aDayStartsAtLocalMidnight() {
        let days = LocalDays(timeZone: Self.london)
        #expect(days.start(of: "2026-07-01") == "2026-06-30T23:00:00Z")
        #expect(days.start(of: "2026-12-01") == "2026-12-01T00:00:00Z")
        #expect(days.start(of: "2026-02-31") == nil)
        let stored = "2026-06-30T23:30:00Z"
        #expect(stored >= days.start(of: days.day(of: stored))!)
        #expect(stored < days.start(of: "2026-07-02")!)
    }
}
