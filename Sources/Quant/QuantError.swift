/// The one error family of `Quant`: every public function that can refuse its input throws this.
///
/// The message names what is wrong (which input, which index, which parameter) so that a service can pass
/// it straight to a problem+json `detail` and a CLI can print it on one line.
public struct QuantError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// An input series has no element.
        case empty
        /// Two inputs that must line up have different lengths.
        case lengthMismatch
        /// An input holds NaN or an infinity.
        case nonFinite
        /// A period, window or other parameter is out of its range.
        case invalidParameter
        /// Input text (CSV) could not be parsed.
        case parse
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func empty(_ name: String) -> QuantError {
        QuantError(.empty, "\(name) is empty")
    }

    public static func lengthMismatch(_ a: String, _ countA: Int, _ b: String, _ countB: Int) -> QuantError {
        QuantError(.lengthMismatch, "\(a) has \(countA) values but \(b) has \(countB)")
    }

    public static func nonFinite(_ name: String, index: Int) -> QuantError {
        QuantError(.nonFinite, "\(name)[\(index)] is not a finite number")
    }

    public static func invalidParameter(_ name: String, _ value: some CustomStringConvertible, _ rule: String) -> QuantError {
        QuantError(.invalidParameter, "\(name) = \(value) is invalid: \(rule)")
    }
}
