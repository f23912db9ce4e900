import Testing
@testable import ServiceKit

@Suite struct RegistrationStatusTests {
    @Test func failsUntilRegisteredAndAgainWhenRenewalsStop() {
        let status = RegistrationStatus()
        #expect(throws: (any Error).self) { try status.check(window: .seconds(6)) }
        status.renewed()
        #expect(throws: Never.self) { try status.check(window: .seconds(6)) }
        status.renewed(at: .now - .seconds(10))
        #expect(throws: (any Error).self) { try status.check(window: .seconds(6)) }
    }
}
