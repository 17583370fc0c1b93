// Staging of the aggregate returns' typed values: periods and amounts, kept as typed beside what they mean.

extension ValueNormaliser {
    /// A period or an amount; text that is neither stays as text and is reported (never dropped).
    mutating func stageReturnValue(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        let raw = String(decoding: bytes, as: UTF8.self)
        if fieldTypes[field] == .period {
            if let p = ReturnPeriod.parse(raw) { return .typed(.period(p)) }
            return problem(bytes, field, kind: "not a period", ruleID: "STG-PERIOD", title: "Value is not a reporting period",
                           message: "is not a reporting period (\(ReturnPeriod.formsAccepted))")
        }
        if let a = amountParsers[field]?.parse(raw) { return .typed(.amount(a)) }
        return problem(bytes, field, kind: "not an amount", ruleID: "STG-AMOUNT", title: "Value is not a number as returns type them",
                       message: "is not a number, a marker such as * or Unavailable, or a target (\(AmountParser.formsAccepted))")
    }
}
