@testable import Auth
import Testing

@Suite struct PasswordPolicyTests {
    let passwords = Passwords(cost: 10, minimumLength: 10)

    @Test func aLongUncommonPasswordIsAccepted() {
        #expect(passwords.problem(with: "correct horse battery staple", username: "alice", email: "alice@example.com") == nil)
    }

    @Test func aShortPasswordIsRefusedWithTheMinimumLength() {
        #expect(passwords.problem(with: "Xq7!kd9", username: "alice", email: nil) == "must be at least 10 characters long")
    }

    @Test func commonPasswordsAreRefusedWhateverTheirCase() {
        #expect(passwords.problem(with: "qwertyuiop", username: "alice", email: nil) == "is one of the most common passwords")
        #expect(passwords.problem(with: "QwertyUiop", username: "alice", email: nil) == "is one of the most common passwords")
        #expect(passwords.problem(with: "1234567890", username: "alice", email: nil) == "is one of the most common passwords")
    }

    @Test func passwordsContainingTheUsernameOrEmailAreRefused() {
        #expect(passwords.problem(with: "my-alice-password-99", username: "alice", email: nil) == "must not contain the username")
        #expect(passwords.problem(with: "bob.smith!2024zz", username: "carol", email: "bob.smith@example.com") == "must not contain the e-mail address")
    }

    @Test func passwordsLongerThanBcryptReadsAreRefused() {
        #expect(passwords.problem(with: String(repeating: "ab1-", count: 19), username: "alice", email: nil)?.contains("at most 72 bytes") == true)
    }

    @Test func aPasswordOfOneRepeatedCharacterIsRefused() {
        #expect(passwords.problem(with: "zzzzzzzzzzzzzzzz", username: "alice", email: nil) == "uses too few different characters")
    }

    @Test func hashesVerifyTheirPasswordOnlyAndUseTheConfiguredCost() async throws {
        let hash = try await passwords.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$2b$10$") || hash.hasPrefix("$2a$10$") || hash.hasPrefix("$2y$10$"))
        #expect(try await passwords.verify("correct horse battery staple", hash: hash))
        #expect(try await passwords.verify("correct horse battery stapl", hash: hash) == false)
    }

    @Test func usernamesAndEmailsFollowTheStatedRules() {
        #expect(Validation.isUsername("alice.b-1"))
        #expect(!Validation.isUsername("al"))
        #expect(!Validation.isUsername("-alice"))
        #expect(!Validation.isUsername("Alice"))
        #expect(Validation.isEmail("a@b.co"))
        #expect(!Validation.isEmail("a@b"))
        #expect(!Validation.isEmail("a b@c.de"))
    }
}
