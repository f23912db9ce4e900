/// Input rules of the auth API, stated once so the error messages and the checks agree.
enum Validation {
    static let usernameRule = "a username is 3 to 32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"

    static func isUsername(_ name: String) -> Bool {
        guard (3...32).contains(name.count), let first = name.unicodeScalars.first, isLowerAlnum(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }
}
