// NHS number Modulus 11: weights 10..2 over the first nine digits; 11 − remainder; 11 → 0; 10 → invalid.

enum NHSNumberCheckDigit {
    /// The check digit for a weighted sum of the first nine digits, or nil when none exists.
    static func checkDigit(weightedSum: Int) -> Int? {
        let check = 11 - weightedSum % 11
        if check == 11 { return 0 }
        return check == 10 ? nil : check
    }
}
