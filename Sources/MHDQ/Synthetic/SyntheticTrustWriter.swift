// The streaming generator behind `SyntheticTrust`: one pass over patients writes all seven files.

/// Draws each patient and everything that hangs off them (GP, accommodation, employment,
/// referrals, other services, contacts) and writes the rows at once, so nothing is kept
/// but counters. The extract is shaped like a monthly MHSDS submission: referrals open
/// in the period, GP registrations current in it, care contacts inside it; anything else
/// is an injected defect. Defects are decided as rows are drawn and counted as they are written;
/// they never overlap in a way a re-count of the files could not see (a malformed date is
/// never also the date of a discharge-before-referral pair, a future birth date is never
/// also malformed).
final class SyntheticTrustWriter {
    private typealias Rates = SyntheticDefectRates

    /// Unknown patients and referrals are numbered past anything the extract holds.
    private static let unknownReferralBase = 900_000_000
    private static let patientIDWidth = 8
    private static let referralIDWidth = 9
    private static let contactIDWidth = 10

    private let trust: SyntheticTrust
    private let periodEnd: CivilDate
    /// First and last day of the reporting period.
    private let startDay: Int
    private let endDay: Int
    private var random: SyntheticRandom
    /// Keys the NHS number permutation, so each seed numbers its patients differently.
    private let nhsNumberKey: UInt32
    private var summary: SyntheticSummary
    private let teams = SyntheticWeighted(SyntheticTeam.all.map { ($0, $0.weight) })

    private let mpi, gp, accommodation, employment, referrals, otherServices, contacts: CSVRowWriter
    private var lastReferral = 0
    private var lastContact = 0
    private var unknownPatients = 0
    private var unknownReferrals = 0

    init(trust: SyntheticTrust, periodEnd: CivilDate, directory: String) throws {
        self.trust = trust
        self.periodEnd = periodEnd
        endDay = periodEnd.days
        startDay = CivilDate(year: periodEnd.year, month: periodEnd.month, day: 1).days
        random = SyntheticRandom(seed: trust.seed)
        var keyStream = SyntheticRandom(seed: ~trust.seed)
        nhsNumberKey = UInt32(truncatingIfNeeded: keyStream.next())
        summary = SyntheticSummary(patients: trust.patients)
        func open(_ e: SyntheticExtract) throws -> CSVRowWriter {
            try CSVRowWriter(directory: directory, name: e.file, header: e.header)
        }
        mpi = try open(.mpi)
        gp = try open(.gp)
        accommodation = try open(.accommodation)
        employment = try open(.employment)
        referrals = try open(.referrals)
        otherServices = try open(.otherServices)
        contacts = try open(.contacts)
    }

    func run() throws -> SyntheticSummary {
        for index in 1 ... trust.patients { try patient(index) }
        for file in [mpi, gp, accommodation, employment, referrals, otherServices, contacts] {
            try file.close()
            summary.files.append(.init(name: file.name, rows: file.rows))
        }
        return summary
    }

    // MARK: - Patient

    private func patient(_ index: Int) throws {
        let iso = random.chance(Rates.secondSystemShare)
        let team = teams.pick(&random)
        var defects: [SyntheticDefect] = []

        let nhsNumber = drawNHSNumber(index, defects: &defects)
        let nhsNumberStatus = nhsNumber.isEmpty
            ? (random.chance(Rates.nhsNumberAbsentStatusRecorded) ? SyntheticCodes.nhsNumberAbsentStatus : "")
            : SyntheticCodes.nhsNumberStatus.pick(&random)
        let birth = drawBirthDate(defects: &defects)
        let postcode = drawPostcode(team, defects: &defects)
        let gender = SyntheticCodes.genderIdentity.pick(&random)
        let ethnicity = drawEthnicity(team, defects: &defects)

        // A malformed birth date is decided when the cell is written, so draw it once
        // and reuse the same text for a duplicate row.
        var birthText: String? = nil
        if birth.mayMalform, random.chance(Rates.dateMalformed) {
            birthText = malformedDate(near: birth.date, iso: iso)
            defects.append(.dateMalformed)
        }
        var copies = 1
        if random.chance(Rates.duplicatePatient) { copies = 2 }
        for copy in 0 ..< copies {
            if copy > 0 { summary.add(.duplicatePatient) }
            for defect in defects { summary.add(defect) }
            try mpi.identifier("P", index, width: Self.patientIDWidth)
            try mpi.text(nhsNumber)
            if let birthText { try mpi.text(birthText) } else { try mpi.date(birth.date, iso: iso) }
            try mpi.text(postcode)
            try mpi.text(gender)
            try mpi.text(ethnicity)
            try mpi.text(trust.provider)
            try mpi.text(nhsNumberStatus)
            try mpi.endRow()
        }

        // Injected impossible birth dates would push GP registration out of range: use an adult's.
        let birthDay = birth.mayMalform ? birth.date.days : endDay - 30 * 365
        try writeGP(index, team: team, birthDay: birthDay, iso: iso)
        try writeAccommodation(index, iso: iso)
        try writeEmployment(index, iso: iso)
        try writeReferrals(index, homeTeam: team, iso: iso)
    }

    /// Sequential patients map one-to-one onto a block of ten million NHS numbers
    /// (9 followed by a permuted seven-digit index), so there are no accidental duplicates;
    /// the ninth digit is chosen so the check digit is never 10.
    private func drawNHSNumber(_ index: Int, defects: inout [SyntheticDefect]) -> String {
        if random.chance(Rates.nhsNumberBlank) {
            defects.append(.nhsNumberBlank)
            return ""
        }
        // Nine digits: 9, then the permuted index as seven digits, then a free digit.
        var digits = [UInt8](repeating: 0, count: 10)
        digits[0] = 9
        var rest = Self.permute(index, key: nhsNumberKey)
        for i in stride(from: 7, through: 1, by: -1) {
            digits[i] = UInt8(rest % 10)
            rest /= 10
        }
        let weighted = (0 ..< 8).reduce(0) { $0 + Int(digits[$1]) * (10 - $1) }
        var ninth = random.below(10)
        // 2·d takes ten different values mod 11 for d in 0...9, so at most one ninth digit has no check digit.
        if NHSNumberCheckDigit.checkDigit(weightedSum: weighted + 2 * ninth) == nil { ninth = (ninth + 1) % 10 }
        digits[8] = UInt8(ninth)
        let check = NHSNumberCheckDigit.checkDigit(weightedSum: weighted + 2 * ninth)!
        digits[9] = UInt8(check)
        if random.chance(Rates.nhsNumberInvalid) {
            if random.chance(0.5) {
                digits[9] = UInt8((check + 1 + random.below(9)) % 10)
                defects.append(.nhsNumberBadCheckDigit)
            } else {
                digits.removeLast()  // the check digit dropped
                defects.append(.nhsNumberWrongLength)
            }
        }
        return String(decoding: digits.map { 0x30 + $0 }, as: UTF8.self)
    }

    /// A seed-keyed permutation of 0 ..< 10⁷: an invertible 24-bit mix (xor-shifts and odd
    /// multipliers), applied again while the result falls outside the range (cycle walking).
    private static func permute(_ index: Int, key: UInt32) -> Int {
        let mask: UInt32 = 0xFF_FFFF
        var x = UInt32(index % 10_000_000)
        repeat {
            x ^= key & mask
            x ^= x >> 12
            x = (x &* 0x9E_3779) & mask
            x ^= x >> 11
            x = (x &* 0x5B_D1E9) & mask
            x ^= x >> 12
        } while x >= 10_000_000
        return Int(x)
    }

    /// A birth date; `mayMalform` is false for injected future and over-130 dates, which
    /// must stay readable to be found.
    private func drawBirthDate(defects: inout [SyntheticDefect]) -> (date: CivilDate, mayMalform: Bool) {
        let u = random.unit()
        if u < Rates.birthDateInFuture {
            defects.append(.birthDateInFuture)
            return (CivilDate(days: endDay + 1 + random.below(30 * 365)), false)
        }
        if u < Rates.birthDateInFuture + Rates.ageOver130 {
            defects.append(.ageOver130)
            let date = CivilDate(year: periodEnd.year - 131 - random.below(40), month: 1 + random.below(12), day: 1 + random.below(28))
            return (date, false)
        }
        let ageBand = random.below(100)
        let age = ageBand < 10 ? random.int(in: 5 ... 17) : ageBand < 85 ? random.int(in: 18 ... 69) : random.int(in: 70 ... 95)
        return (CivilDate(days: endDay - age * 365 - age / 4 - random.below(365)), true)
    }

    private func drawPostcode(_ team: SyntheticTeam, defects: inout [SyntheticDefect]) -> String {
        let letters = SyntheticCodes.postcodeLetters
        let outward = "CV\(random.pick(team.districts))"
        let sector = 1 + random.below(9)
        let unit = String([random.pick(letters), random.pick(letters)])
        guard random.chance(Rates.postcodeMalformed) else { return "\(outward) \(sector)\(unit)" }
        defects.append(.postcodeMalformed)
        switch random.below(3) {
        case 0: return "\(outward) \(sector)\(unit.prefix(1))"  // unit truncated
        case 1: return "\(outward) \(sector)\(unit.prefix(1))8"  // a digit typed for a letter
        default: return outward  // inward code lost
        }
    }

    private func drawEthnicity(_ team: SyntheticTeam, defects: inout [SyntheticDefect]) -> String {
        let asDescription = random.chance(Rates.ethnicityAsDescription)
        if random.chance(team.ethnicityGap) {
            let u = random.unit()
            if u < Rates.ethnicityGapMissingShare {
                defects.append(.ethnicityMissing)
                return random.chance(0.8) ? "" : "  "
            }
            if u < Rates.ethnicityGapMissingShare + Rates.ethnicityGapNotStatedShare {
                defects.append(.ethnicityNotStated)
                let notStated = SyntheticCodes.ethnicityNotStated
                return asDescription ? random.pick(notStated.descriptions) : random.chance(0.1) ? notStated.code.lowercased() : notStated.code
            }
            defects.append(.ethnicityNotKnown)
            let notKnown = SyntheticCodes.ethnicityNotKnown
            return asDescription ? random.pick(notKnown.descriptions) : notKnown.code
        }
        if random.chance(Rates.ethnicityInvalid) {
            defects.append(.ethnicityInvalid)
            return random.pick(SyntheticCodes.ethnicityInvalid)
        }
        let category = SyntheticCodes.ethnicity.pick(&random)
        if asDescription {
            guard random.chance(Rates.ethnicityEnDash) else { return category.description }
            return category.description.replacing(" - ", with: " \u{2013} ")
        }
        let style = random.below(100)
        if style < 75 { return category.code }
        if style < 83 { return category.code.lowercased() }
        if style < 93 { return category.code + String(1 + random.below(3)) }  // local second character
        return [" " + category.code, category.code + " ", " " + category.code + " "][random.below(3)]
    }

    // MARK: - Patient-level tables

    /// The registration current in the period, open-ended; a patient who moved practice
    /// in the period also has the old one, ended the day before the new one starts.
    private func writeGP(_ index: Int, team: SyntheticTeam, birthDay: Int, iso: Bool) throws {
        if random.chance(Rates.patientWithoutGP) {
            summary.add(.patientWithoutGP)
            return
        }
        var from = max(birthDay, endDay - random.below(20 * 365))
        if from < startDay, random.chance(Rates.gpMovedInPeriod) {
            let ended = startDay + random.below(endDay - startDay)
            try gpRow(index, practice: team.practicePrefix, from: from, to: ended, iso: iso)
            from = ended + 1
        }
        try gpRow(index, practice: team.practicePrefix, from: from, to: nil, iso: iso)
    }

    private func gpRow(_ index: Int, practice: String, from: Int, to: Int?, iso: Bool) throws {
        try gp.identifier("P", index, width: Self.patientIDWidth)
        try gp.identifier(practice, 1 + random.below(60), width: 3)
        try date(gp, from, iso: iso)
        if let to { try date(gp, to, iso: iso) } else { try gp.blank() }
        try gp.endRow()
    }

    private func writeAccommodation(_ index: Int, iso: Bool) throws {
        let records = random.chance(0.8) ? (random.chance(0.15) ? 2 : 1) : 0
        // Each record is older than the one before, so no two share a date (MHS00315).
        var recorded = endDay - random.below(365)
        for _ in 0 ..< records {
            let type = SyntheticCodes.accommodation.pick(&random)
            try accommodation.identifier("P", index, width: Self.patientIDWidth)
            try accommodation.text(type.code)
            try accommodation.text(type.settled)
            try date(accommodation, recorded, iso: iso)
            try accommodation.endRow()
            recorded -= 1 + random.below(365)
        }
    }

    private func writeEmployment(_ index: Int, iso: Bool) throws {
        guard random.chance(0.85) else { return }
        try employment.identifier("P", index, width: Self.patientIDWidth)
        try employment.text(SyntheticCodes.employment.pick(&random))
        try date(employment, endDay - random.below(730), iso: iso)
        try employment.endRow()
    }

    // MARK: - Referrals and what hangs off them

    /// The referrals open in the period: received in it or before, and either still open
    /// or discharged in it.
    private func writeReferrals(_ index: Int, homeTeam: SyntheticTeam, iso: Bool) throws {
        if random.chance(Rates.patientWithoutReferral) {
            summary.add(.patientWithoutReferral)
            return
        }
        let count = 1 + random.count(mean: trust.referralsPerPatient - 1)
        let contactsPerReferral = trust.contactsPerPatient / trust.referralsPerPatient
        let periodDays = endDay - startDay + 1
        for n in 0 ..< count {
            let team = n == 0 ? homeTeam : teams.pick(&random)
            lastReferral += 1
            let referral = lastReferral
            var received = random.chance(Rates.referralReceivedInPeriod)
                ? startDay + random.below(periodDays)
                : startDay - 1 - random.below(3 * 365)
            let backwards = random.chance(Rates.dischargeBeforeReferral)
            var discharged: Int? = nil
            if backwards {
                // Both dates inside the period, so the only fault is their order (MHS10128).
                received = startDay + 1 + random.below(periodDays - 1)
                discharged = startDay + random.below(received - startDay)
                summary.add(.dischargeBeforeReferral)
            } else if received < endDay, random.chance(Rates.referralDischargedInPeriod) {
                let first = max(startDay, received + 1)
                discharged = first + random.below(endDay - first + 1)
            }
            let commissioner = random.chance(Rates.otherCommissioner) ? SyntheticCodes.otherCommissioner.pick(&random) : team.commissioner

            try referrals.identifier("R", referral, width: Self.referralIDWidth)
            if n > 0, random.chance(Rates.referralUnknownPatient) {
                unknownPatients += 1
                summary.add(.referralUnknownPatient)
                try referrals.identifier("P", trust.patients + unknownPatients, width: Self.patientIDWidth)
            } else {
                try referrals.identifier("P", index, width: Self.patientIDWidth)
            }
            try date(referrals, received, iso: iso, mayMalform: !backwards)
            try referrals.text(SyntheticCodes.referralSource.pick(&random))
            try referrals.text(team.serviceType)
            try referrals.text(team.code)
            if let discharged { try date(referrals, discharged, iso: iso, mayMalform: !backwards) } else { try referrals.blank() }
            try referrals.text(SyntheticCodes.priority.pick(&random))
            try referrals.text(commissioner)
            try referrals.endRow()

            // Contacts fall inside both the referral and the period; a backwards referral
            // gets the rest of the period after receipt.
            let first = max(received, startDay)
            let last = backwards ? endDay : (discharged ?? endDay)
            if random.chance(Rates.otherService), !backwards {
                try writeOtherService(referral, homeTeam: team, from: received, to: last, iso: iso)
            }
            for _ in 0 ..< random.count(mean: contactsPerReferral) {
                var day = first + random.below(last - first + 1)
                var inPeriod = true
                if random.chance(Rates.contactOutsidePeriod) {
                    summary.add(.contactOutsidePeriod)
                    day = random.chance(0.5) ? startDay - 1 - random.below(30) : endDay + 1 + random.below(30)
                    inPeriod = false
                }
                try writeContact(referral, day: day, mayMalform: inPeriod, commissioner: commissioner, iso: iso)
            }
        }
    }

    private func writeOtherService(_ referral: Int, homeTeam: SyntheticTeam, from: Int, to: Int, iso: Bool) throws {
        var other = teams.pick(&random)
        if other.code == homeTeam.code { other = SyntheticTeam.all[random.below(SyntheticTeam.all.count)] }
        let start = from + random.below(to - from + 1)
        try otherServices.identifier("R", referral, width: Self.referralIDWidth)
        try otherServices.text(other.code)
        try otherServices.text(other.serviceType)
        try date(otherServices, start, iso: iso)
        // Closed in the period, never after the referral's discharge (MHS10213, MHS10216).
        if random.chance(Rates.otherServiceClosedInPeriod) {
            let earliest = max(start, startDay)
            try date(otherServices, earliest + random.below(to - earliest + 1), iso: iso)
            try otherServices.text(SyntheticCodes.closureReason.pick(&random))
        } else {
            try otherServices.blank()
            try otherServices.blank()
        }
        try otherServices.endRow()
    }

    private func writeContact(_ referral: Int, day: Int, mayMalform: Bool, commissioner: String, iso: Bool) throws {
        lastContact += 1
        try contacts.identifier("C", lastContact, width: Self.contactIDWidth)
        if random.chance(Rates.contactUnknownReferral) {
            unknownReferrals += 1
            summary.add(.contactUnknownReferral)
            try contacts.identifier("R", Self.unknownReferralBase + unknownReferrals, width: Self.referralIDWidth)
        } else {
            try contacts.identifier("R", referral, width: Self.referralIDWidth)
        }
        try date(contacts, day, iso: iso, mayMalform: mayMalform)
        try contacts.time(minutes: 8 * 60 + 5 * random.below(12 * 12))
        let attendance: String
        if random.chance(Rates.attendanceInvalid) {
            summary.add(.attendanceInvalid)
            attendance = random.pick(SyntheticCodes.attendanceInvalid)
        } else {
            attendance = SyntheticCodes.attendance.pick(&random)
        }
        try contacts.text(attendance)
        try contacts.text(SyntheticCodes.mechanism.pick(&random))
        try contacts.text(SyntheticCodes.location.pick(&random))
        if SyntheticCodes.attended.contains(attendance) { try contacts.number(15 + 5 * random.below(16)) } else { try contacts.blank() }
        try contacts.text(commissioner)
        try contacts.text(SyntheticCodes.adminCategory.pick(&random))
        try contacts.endRow()
    }

    // MARK: - Dates

    /// Writes a date cell, now and then malformed (counted).
    private func date(_ file: CSVRowWriter, _ day: Int, iso: Bool, mayMalform: Bool = true) throws {
        let date = CivilDate(days: day)
        if mayMalform, random.chance(Rates.dateMalformed) {
            summary.add(.dateMalformed)
            try file.text(malformedDate(near: date, iso: iso))
        } else {
            try file.date(date, iso: iso)
        }
    }

    /// A date that looks right and is not: day 29–31 of a short month, or month 13 or 00.
    private func malformedDate(near date: CivilDate, iso: Bool) -> String {
        let y = String(date.year)
        let pick = random.below(4)
        let (day, month): (String, String)
        switch pick {
        case 0: (day, month) = ("31", "02")
        case 1: (day, month) = (String(30 + random.below(2)), "02")
        case 2: (day, month) = ("31", ["04", "06", "09", "11"][random.below(4)])
        default: (day, month) = ("0" + String(1 + random.below(9)), ["13", "00"][random.below(2)])
        }
        return iso ? "\(y)-\(month)-\(day)" : "\(day)/\(month)/\(y)"
    }
}
