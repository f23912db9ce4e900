/// Why an expression was refused, and where.
///
/// `line` and `column` are 1-based and count characters (a tab is one column). An error about the end of the input
/// points one column past the last character. The message says what is wrong and what was expected, in words a
/// user typing into a form can act on; it never contains anything but the user's own text and the language's
/// names, so a service can pass it to a problem+json `detail` as it is.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What stage refused the expression.
    public enum Kind: String, Sendable {
        /// The text is not a well-formed expression (unexpected character or token, missing parenthesis).
        case syntax
        /// A name that is neither a function, a series nor a state variable of the schema.
        case unknownName
        /// A call with the wrong number or kind of arguments, or a period or parameter out of its range.
        case argument
        /// An operator or function given a number where it needs true/false (or the reverse), or a result of
        /// the wrong type.
        case type
        /// The source is too long, nests too deeply or has too many parts.
        case limit
        /// The data given to `PreparedExpression` does not fit the expression (a missing or misaligned series).
        case input
    }

    public let kind: Kind
    /// 1-based line of the offending text.
    public let line: Int
    /// 1-based column (in characters) of the offending text.
    public let column: Int
    public let message: String

    public init(_ kind: Kind, line: Int, column: Int, _ message: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ kind: Kind, at position: SourcePosition, _ message: String) {
        self.init(kind, line: position.line, column: position.column, message)
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A 1-based line and column in the source.
struct SourcePosition: Hashable, Sendable {
    var line: Int
    var column: Int
    static let start = SourcePosition(line: 1, column: 1)
}
