extension QuantError {
    /// Throws `.nonFinite(name, index:)` at the first NaN or infinity of `values`.
    static func requireFinite(_ values: [Double], _ name: String) throws(QuantError) {
        let bad = values.withUnsafeBufferPointer { buffer -> Int? in
            // Branch-free scan that vectorises.
            var flags: UInt64 = 0
            for v in buffer { flags |= Kernels.finiteFlag(v) }
            guard Kernels.hasNonFinite(flags) else { return nil }
            return buffer.firstIndex { !$0.isFinite }
        }
        if let bad { throw .nonFinite(name, index: bad) }
    }

    /// Throws `.empty(name)` for an empty series, then `.nonFinite` at the first NaN or infinity.
    static func requireSeries(_ values: [Double], _ name: String) throws(QuantError) {
        guard !values.isEmpty else { throw .empty(name) }
        try requireFinite(values, name)
    }

    /// Throws `.lengthMismatch` unless `values` has `count` elements, then validates it as a series.
    static func requireSeries(_ values: [Double], _ name: String, count: Int, of reference: String) throws(QuantError) {
        guard values.count == count else { throw .lengthMismatch(name, values.count, reference, count) }
        try requireSeries(values, name)
    }

    /// Throws `.invalidParameter` unless `period >= minimum`.
    static func requirePeriod(_ period: Int, _ name: String = "period", minimum: Int = 1) throws(QuantError) {
        guard period >= minimum else { throw .invalidParameter(name, period, "must be at least \(minimum)") }
    }
}
